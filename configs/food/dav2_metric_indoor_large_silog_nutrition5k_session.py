# Seed 000: Depth Anything V2 Metric-Indoor-Large fine-tuned on Nutrition5k with SILog
# (lambda 0.5), encoder lr 5e-6 (decoder x10), session split (no near-duplicate leakage).
# Report next to the honest baselines (tools/analysis_tools/food_honest_comparison.py).
_base_ = ['../_base_/default_runtime.py', '../_base_/depth_anything_v2_vitl_metric.py',
          '../_base_/nutrition5k_depth.py', '../_base_/food_schedule.py']

model = dict(losses=[dict(type='SILogLoss', lambd=0.5, loss_weight=1.0)])
custom_hooks = [dict(type='EvaluateBeforeTrainHook')]
default_hooks = dict(visualization=dict(type='DepthVisualizationHook', interval=20),
                     checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2,
                                     save_best='depth/abs_rel', rule='less'))
visualizer = dict(type='Visualizer', vis_backends=[dict(type='LocalVisBackend'),
                                                    dict(type='TensorboardVisBackend')])
