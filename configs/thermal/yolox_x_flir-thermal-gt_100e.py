# YOLOX-x on FLIR ADAS v1.3 thermal frames with the thermal ground truth: the upper bound the
# pseudo-label students are compared with. Train from COCO weights, e.g.
#   --cfg-options load_from=checkpoints/yolox_x_8x8_300e_coco_20211126_140254-1ef88d67.pth
_base_ = [
    '../_base_/models/yolox_x.py',
    '../_base_/datasets/flir_v1_thermal.py',
    '../_base_/schedules/yolox_100e.py',
    '../_base_/det_runtime.py',
]
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3,
                                     save_best='coco/bbox_mAP', rule='greater'))
