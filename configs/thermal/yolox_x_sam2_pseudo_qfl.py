# yolox_x_sam2_pseudo.py with Quality Focal Loss on YOLOXHead's soft IoU targets.
_base_ = './yolox_x_sam2_pseudo.py'
model = dict(bbox_head=dict(loss_cls=dict(
    _delete_=True, type='SoftQualityFocalLoss', beta=2.0, reduction='sum', loss_weight=1.0)))
