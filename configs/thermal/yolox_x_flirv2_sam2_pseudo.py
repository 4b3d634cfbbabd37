# The headline chain on FLIR ADAS v2: COCO YOLOX-x on the RGB frames -> COCO->v2 classes ->
# score >= 0.5 -> v2's own RGB->thermal homography (not v1.3's: seed 003, 2025/11/05) ->
# SAM 2 on the thermal frames -> YOLOX-x trained on them, validated on images_thermal_val.
# v2 pairs RGB and thermal frames only in the video split (rgb_to_thermal_vid_map.json):
# the labels, and so the student's training frames (data_root follows the source), are
# video_thermal_test, FLIR's official test split -- training warns; report on val. With
# a pairing file of the same form (RGB name -> thermal name) for the train split, set
# source=dict(data_root=<v2>/images_thermal_train/, rgb_dir='../images_rgb_train/data',
# rgb_map_file=<that file>). Crop the RGB frames to the thermal view first if needed:
#   python tools/dataset_converters/crop_flir_rgb_to_thermal.py --help
_base_ = './yolox_x_flirv2-thermal-gt_100e.py'

flir_root = 'data/FLIR_ADAS_v2/'
pseudo_labels = dict(
    source=dict(data_root=flir_root + 'video_thermal_test/', ann_file='coco.json',
                rgb_dir='../video_rgb_test/data',
                rgb_map_file='../rgb_to_thermal_vid_map.json'),
    teacher=dict(type='mmdet',
                 config='checkpoints/teachers/yolox_x_8xb8-300e_coco.py',
                 checkpoint='checkpoints/teachers/yolox_x_8x8_300e_coco_20211126_140254-'
                 '1ef88d67.pth',
                 device='cuda'),
    class_map=dict(person='person', bicycle='bike', car='car'),
    score_thr=0.5,
    rgb_to_thermal=flir_root + 'rgb_to_thermal_homography.json',
    refiner=dict(type='SAM2PseudoLabeler',
                 backend=dict(type='sam2', config='configs/sam2.1/sam2.1_hiera_l.yaml',
                              checkpoint='checkpoints/sam2.1_hiera_large.pt', device='cuda'),
                 iou_thr=0.5, min_area=16),
    refine_on='thermal',
    min_box_size=4)
