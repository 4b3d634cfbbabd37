# yolox_x_sam2_pseudo.py with Quality Focal Loss on YOLOXHead's soft IoU targets: mmdet 3.3's
# QualityFocalLoss takes the (N, C) one_hot * IoU tensor directly (seed 003, 2025/07/08).
_base_ = './yolox_x_sam2_pseudo.py'
model = dict(bbox_head=dict(loss_cls=dict(
    _delete_=True, type='QualityFocalLoss', use_sigmoid=True, beta=2.0, reduction='sum',
    loss_weight=1.0)))
