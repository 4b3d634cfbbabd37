# Seed 000 with the Base (vitb) encoder: Depth Anything V2 Metric-Indoor-Base fine-tuned on
# Nutrition5k with SILog (lambda 0.5), encoder lr 5e-6 (decoder x10), session split. Same data,
# schedule and evaluation as dav2_metric_indoor_large_silog_nutrition5k_session.py.
_base_ = ['../_base_/default_runtime.py', '../_base_/depth_anything_v2_vitb_metric.py',
          '../_base_/nutrition5k_depth.py', '../_base_/food_schedule.py']

model = dict(losses=[dict(type='SILogLoss', lambd=0.5, loss_weight=1.0)])
custom_hooks = [dict(type='EvaluateBeforeTrainHook')]
default_hooks = dict(visualization=dict(type='DepthVisualizationHook', interval=20),
                     checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2,
                                     save_best='depth/abs_rel', rule='less'))
visualizer = dict(type='Visualizer', vis_backends=[dict(type='LocalVisBackend'),
                                                    dict(type='TensorboardVisBackend')])
