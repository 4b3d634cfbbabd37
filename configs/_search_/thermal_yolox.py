# Search space for the thermal detection family (seed 003): learning rate, weight decay and
# the classification loss (BCE, or focal loss with its gamma/alpha, the lab's fix for the
# person/car imbalance).
# Targets: configs/thermal/yolox_cpu_synthflir_8e.py (any YOLOX config of the family).
#   python tools/optuna_search.py configs/thermal/yolox_cpu_synthflir_8e.py \
#       --space configs/_search_/thermal_yolox.py --n-trials 20
# mmdet's FocalLoss takes YOLOXHead's soft (IoU) targets; for one alpha per class use
# mmext's PerClassFocalLoss as a whole-dict categorical choice with _delete_=True.
# The pseudo-label score threshold of seed 003 is searched in thermal_pseudo.py.
space = {
    'optim_wrapper.optimizer.lr': dict(type='float', low=5e-4, high=1e-2, log=True),
    'optim_wrapper.optimizer.weight_decay': dict(type='float', low=1e-3, high=0.1, log=True),
    'model.bbox_head.loss_cls.type': dict(type='categorical',
                                          choices=['CrossEntropyLoss', 'FocalLoss']),
    'model.bbox_head.loss_cls.gamma': dict(
        type='float', low=0.5, high=3.0, step=0.25,
        condition={'model.bbox_head.loss_cls.type': 'FocalLoss'}),
    'model.bbox_head.loss_cls.alpha': dict(
        type='float', low=0.1, high=0.9, step=0.05,
        condition={'model.bbox_head.loss_cls.type': 'FocalLoss'}),
}
metric = 'coco/bbox_mAP'
direction = 'maximize'
# validate every 2 epochs so the pruner sees the learning curve
cfg_options = {'train_cfg.val_interval': 2}
