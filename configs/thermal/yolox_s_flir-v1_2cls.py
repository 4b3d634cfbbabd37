# Seed 003's FLIR matrix, "trained on v1": YOLOX-s on FLIR v1.3 thermal GT, person and car,
# the log's final losses (see yolox_s_sam2_pseudo_2cls_final.py). Tested on v1 / v2 / v1+v2
# val by tools/analysis_tools/flir_matrix.py.
_base_ = [
    '../_base_/models/yolox_s.py',
    '../_base_/datasets/flir_v1_thermal.py',
    '../_base_/schedules/yolox_100e.py',
    '../_base_/det_runtime.py',
]
classes = ('person', 'car')
model = dict(bbox_head=dict(
    num_classes=2,
    loss_cls=dict(_delete_=True, type='FocalLoss', use_sigmoid=True, gamma=4.0, alpha=0.6,
                  loss_weight=1.0),
    loss_obj=dict(_delete_=True, type='FocalLoss', use_sigmoid=True, gamma=4.0, alpha=0.6,
                  reduction='mean', loss_weight=1.0),
    loss_bbox=dict(_delete_=True, type='CIoULoss', loss_weight=5.0)))
train_dataloader = dict(dataset=dict(dataset=dict(metainfo=dict(classes=classes))))
val_dataloader = dict(dataset=dict(metainfo=dict(classes=classes)))
test_dataloader = val_dataloader
train_cfg = dict(val_interval=1)
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=3,
                                     save_best='coco/bbox_mAP_50', rule='greater'))
