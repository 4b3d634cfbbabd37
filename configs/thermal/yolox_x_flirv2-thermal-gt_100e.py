# YOLOX-x on FLIR ADAS v2 thermal frames with the thermal ground truth (the v2 upper bound;
# official YOLOX-m thermal AP50: person 75.33, car 77.23).
_base_ = [
    '../_base_/models/yolox_x.py',
    '../_base_/datasets/flir_v2_thermal.py',
    '../_base_/schedules/yolox_100e.py',
    '../_base_/det_runtime.py',
]
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3,
                                     save_best='coco/bbox_mAP', rule='greater'))
