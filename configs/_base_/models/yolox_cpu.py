# CPU-sized YOLOX: YOLOX-tiny's depth (deepen 0.33) at a quarter width (widen 0.25), for
# demos and tests on 2 CPU cores. Same head, losses and assigner as yolox_tiny.py.
_base_ = './yolox_tiny.py'
model = dict(
    backbone=dict(widen_factor=0.25),
    neck=dict(in_channels=[64, 128, 256], out_channels=64),
    bbox_head=dict(in_channels=64, feat_channels=64))
