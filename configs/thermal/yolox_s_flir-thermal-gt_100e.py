# YOLOX-s on FLIR ADAS v1.3 thermal frames with the thermal ground truth (upper bound).
_base_ = [
    '../_base_/models/yolox_s.py',
    '../_base_/datasets/flir_v1_thermal.py',
    '../_base_/schedules/yolox_100e.py',
    '../_base_/det_runtime.py',
]
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3,
                                     save_best='coco/bbox_mAP', rule='greater'))
