# Search space for the pseudo-label experiments of seed 003: the teacher score threshold
# (the log compared 0.5 and 0.7), the focal loss on YOLOX's soft targets with one alpha per
# class (PerClassFocalLoss; classes person, bicycle, car), and the learning rate.
# Targets: configs/thermal/yolox_cpu_synthflir-pseudo-rgbgt-otsu_8e.py (any config with a
# pseudo_labels entry). Pseudo-labels are cached by their settings in <work-dir>/pseudo_labels,
# so trials with the same threshold share them.
#   python tools/optuna_search.py configs/thermal/yolox_cpu_synthflir-pseudo-rgbgt-otsu_8e.py \
#       --space configs/_search_/thermal_pseudo.py --n-trials 12
space = {
    'pseudo_labels.score_thr': dict(type='categorical', choices=[0.3, 0.5, 0.7]),
    'optim_wrapper.optimizer.lr': dict(type='float', low=5e-4, high=5e-3, log=True),
    'model.bbox_head.loss_cls': dict(type='categorical', choices=[
        dict(type='CrossEntropyLoss', use_sigmoid=True, reduction='sum', loss_weight=1.0),
        dict(_delete_=True, type='PerClassFocalLoss', alpha=[0.25, 0.5, 0.25], gamma=2.0,
             reduction='sum', loss_weight=1.0),
        dict(_delete_=True, type='PerClassFocalLoss', alpha=[0.25, 0.75, 0.25], gamma=1.5,
             reduction='sum', loss_weight=1.0),
    ]),
}
metric = 'coco/bbox_mAP'
direction = 'maximize'
cfg_options = {'train_cfg.val_interval': 2}
