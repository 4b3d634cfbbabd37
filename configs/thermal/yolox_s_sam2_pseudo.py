# YOLOX-s student on SAM 2-refined pseudo-labels (see yolox_x_sam2_pseudo.py).
_base_ = './yolox_x_sam2_pseudo.py'
model = dict(
    backbone=dict(deepen_factor=0.33, widen_factor=0.5),
    neck=dict(in_channels=[128, 256, 512], out_channels=128, num_csp_blocks=1),
    bbox_head=dict(in_channels=128, feat_channels=128))
