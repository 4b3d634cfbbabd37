# Seed 001 with the Base (vitb) encoder (log 001 suggests starting with ViT-S/B): L1 depth
# (food mask) + 0.1 gradient + 0.05 plane-levelness + 0.1 relative volume error; encoder frozen
# for 2 epochs, then all layers at LR x0.5 (log 001: "halve"; x0.2 in the _stage2x0.2 variant
# of the Large config). Same data and evaluation as the Large config.
_base_ = ['../_base_/default_runtime.py', '../_base_/depth_anything_v2_vitb_metric.py',
          '../_base_/nutrition5k_depth.py', '../_base_/food_schedule.py']

model = dict(losses=[
    dict(type='MaskedL1Loss', use_food_mask=True, loss_weight=1.0),
    dict(type='DepthGradientLoss', region='food', dilate_px=5, loss_weight=0.1),
    dict(type='PlaneLevelLoss', ring_inner=5, ring_width=20, loss_weight=0.05),
    dict(type='VolumeLoss', ring_inner=5, ring_width=20, loss_weight=0.1),
])
custom_hooks = [dict(type='EvaluateBeforeTrainHook'),
                dict(type='StagedFinetuneHook', freeze_epochs=2, lr_factor=0.5)]
default_hooks = dict(visualization=dict(type='DepthVisualizationHook', interval=20),
                     checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2,
                                     save_best='volume/mae_ml', rule='less'))
visualizer = dict(type='Visualizer', vis_backends=[dict(type='LocalVisBackend'),
                                                    dict(type='TensorboardVisBackend')])
