# Search space for self-supervised metric depth on roads (seed 002, FUMET): the weights of
# the rough (object-height) and fine (camera-height) terms (FUMET: 1.0 and 0.01; the log:
# "balance the camera height loss and the rough geometric loss") and the epoch after which
# the camera-height target is first estimated (FUMET: after its epoch 1, first_epoch=2).
# For: configs/selfsup/fumet_*kitti*.py (custom_hooks.1 is CameraHeightHook in all), e.g.
# the CPU twin fumet_r18c16_synthkitti_256x96_cpu.py.
# The metric is the depth error WITHOUT median scaling (metric scale is the point).
space = {
    'model.object_height_loss.loss_weight': dict(type='float', low=0.01, high=10.0, log=True),
    'model.camera_height_loss.loss_weight': dict(type='float', low=0.001, high=1.0, log=True),
    'custom_hooks.1.first_epoch': dict(type='int', low=1, high=3),
}
metric = 'depth/abs_rel'
direction = 'minimize'
