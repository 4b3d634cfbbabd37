# Runtime of the self-supervised road-depth family (seed 002): the model's loss schedule
# follows the epoch (mmdet's SetEpochInfoHook), test panels via --show-dir.
_base_ = ['./default_runtime.py']

custom_hooks = [dict(type='SetEpochInfoHook')]
default_hooks = dict(visualization=dict(type='SelfSupVisualizationHook', interval=50))
visualizer = dict(type='Visualizer', vis_backends=[dict(type='LocalVisBackend')],
                  name='visualizer')
