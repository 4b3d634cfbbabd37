# Seed 001 with UniDepth V2 (ViT-L): same loss mix as the DAV2 volume config. Log 001's camera
# protocol: UniDepth predicts its own camera in training and evaluation (camera_mode=
# 'predicted'), the true K is used for the volumes, the predicted focal error is logged
# (pred_fx_rel_err / pred_fy_rel_err); focal_loss_weight > 0 adds the optional focal term.
# Feeding the true K to the network: unidepth_v2_vitl_volume_mix_nutrition5k_trueK.py.
# Needs the UniDepth package (not on PyPI):
#   pip install "git+https://github.com/lpiccinelli-eth/UniDepth.git"
_base_ = ['../_base_/default_runtime.py', '../_base_/nutrition5k_depth.py',
          '../_base_/food_schedule.py']

model = dict(
    type='UniDepthWrapper',
    pretrained='lpiccinelli/unidepth-v2-vitl14',
    input_size=(420, 560),                 # 0.235 MP, multiples of 14 (UniDepth: 0.2-0.6 MP)
    camera_mode='predicted',
    focal_loss_weight=0.0,
    data_preprocessor=dict(type='DepthDataPreprocessor'),
    losses=[
        dict(type='MaskedL1Loss', use_food_mask=True, loss_weight=1.0),
        dict(type='DepthGradientLoss', region='food', dilate_px=5, loss_weight=0.1),
        dict(type='PlaneLevelLoss', ring_inner=5, ring_width=20, loss_weight=0.05),
        dict(type='VolumeLoss', ring_inner=5, ring_width=20, loss_weight=0.1),
    ])
# UniDepth's encoder is model.module.pixel_encoder.
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={'module.pixel_encoder': dict(lr_mult=0.1)}))
custom_hooks = [dict(type='EvaluateBeforeTrainHook'),
                dict(type='StagedFinetuneHook', freeze_epochs=2, lr_factor=0.5)]
default_hooks = dict(visualization=dict(type='DepthVisualizationHook', interval=20),
                     checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2,
                                     save_best='volume/mae_ml', rule='less'))
visualizer = dict(type='Visualizer', vis_backends=[dict(type='LocalVisBackend'),
                                                    dict(type='TensorboardVisBackend')])
