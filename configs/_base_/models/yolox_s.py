# YOLOX-s (CSPDarknet deepen 0.33, widen 0.5), mmdet 3.3's yolox_s; COCO AP 40.5.
_base_ = './yolox_tiny.py'
model = dict(
    backbone=dict(widen_factor=0.5),
    neck=dict(in_channels=[128, 256, 512], out_channels=128),
    bbox_head=dict(in_channels=128, feat_channels=128))
