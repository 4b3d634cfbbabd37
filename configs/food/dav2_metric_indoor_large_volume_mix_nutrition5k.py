# Seed 001: Depth Anything V2 Metric-Indoor-Large for food volume: L1 depth (food mask)
# + 0.1 gradient + 0.05 plane-levelness + 0.1 relative volume error; staged fine-tuning
# (encoder frozen for 2 epochs, then all layers at LR x0.5: log 001 "halve or about 1/5";
# the x0.2 choice is dav2_metric_indoor_large_volume_mix_nutrition5k_stage2x0.2.py).
_base_ = ['../_base_/default_runtime.py', '../_base_/depth_anything_v2_vitl_metric.py',
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
