# Search space for self-supervised metric depth on roads (seed 002, FUMET): the weights of
# the rough (object-height) and fine (camera-height) terms, how often (in epochs) the
# camera height is re-estimated (the log: every 2 epochs, "update -> stay -> stay", later
# every epoch with a moving average) and the moving average's momentum ("balance the
# camera height loss and the rough geometric loss").
# For: configs/selfsup/fumet_r18_kitti-eigen-zhou_640x192_20e.py (and the CPU synthetic
# variant fumet_r18c16_synthkitti_256x96_cpu.py). custom_hooks.1 is CameraHeightHook.
# The metric is the depth error WITHOUT median scaling (metric scale is the point).
space = {
    'model.object_height_loss.loss_weight': dict(type='float', low=0.01, high=10.0, log=True),
    'model.camera_height_loss.loss_weight': dict(type='float', low=0.001, high=1.0, log=True),
    'custom_hooks.1.interval': dict(type='int', low=1, high=4),
    'custom_hooks.1.momentum': dict(type='float', low=0.0, high=0.9),
}
metric = 'depth/abs_rel'
direction = 'minimize'
