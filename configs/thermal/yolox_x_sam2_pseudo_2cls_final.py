# yolox_s_sam2_pseudo_2cls_final.py with YOLOX-x (the log's first student); cut its COCO
# head with tools/model_converters/coco_head_to_flir.py (--classes person car) first.
_base_ = './yolox_s_sam2_pseudo_2cls_final.py'
model = dict(
    backbone=dict(deepen_factor=1.33, widen_factor=1.25),
    neck=dict(in_channels=[320, 640, 1280], out_channels=320, num_csp_blocks=4),
    bbox_head=dict(in_channels=320, feat_channels=320))
load_from = 'checkpoints/yolox_x_coco_person_car.pth'
