# Search space for self-supervised metric depth on roads (seed 002): the weights of the
# rough geometric (camera-height) loss and the fine photometric loss, and how often (in
# epochs) the camera height estimate is updated (the log: every 2 epochs, "update -> stay
# -> stay"; "balance the camera height loss and the rough geometric loss").
# TARGETS A CONFIG STILL TO COME: there is no configs/selfsup/ config yet; the key names
# below are placeholders for that config's fields (rename them when it lands: keys are
# checked against the config before trial 0, so a mismatch is reported, not ignored).
# The metric is DepthMetric's absolute relative error (lower is better).
space = {
    'model.rough_loss.loss_weight': dict(type='float', low=0.01, high=10.0, log=True),
    'model.fine_loss.loss_weight': dict(type='float', low=0.1, high=10.0, log=True),
    'camera_height_update_interval': dict(type='int', low=1, high=4),
}
metric = 'depth/abs_rel'
direction = 'minimize'
