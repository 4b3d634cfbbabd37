# Runtime of detection experiments: mmdet's visualiser and visualisation hook.
_base_ = './default_runtime.py'

default_hooks = dict(visualization=dict(type='DetVisualizationHook'))
visualizer = dict(
    type='DetLocalVisualizer',
    vis_backends=[dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')],
    name='visualizer')
