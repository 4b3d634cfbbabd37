# yolox_x_sam2_pseudo.py with a focal classification loss and one alpha per class
# (person, bicycle, car): the rare bicycle class gets more weight.
_base_ = './yolox_x_sam2_pseudo.py'
model = dict(bbox_head=dict(loss_cls=dict(
    _delete_=True, type='PerClassFocalLoss', alpha=[0.25, 0.5, 0.25], gamma=2.0,
    reduction='sum', loss_weight=1.0)))
