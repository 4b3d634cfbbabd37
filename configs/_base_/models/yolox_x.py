# YOLOX-x (CSPDarknet deepen 1.33, widen 1.25), mmdet 3.3's yolox_x; COCO AP 50.9.
_base_ = './yolox_tiny.py'
model = dict(
    backbone=dict(deepen_factor=1.33, widen_factor=1.25),
    neck=dict(in_channels=[320, 640, 1280], out_channels=320, num_csp_blocks=4),
    bbox_head=dict(in_channels=320, feat_channels=320))
