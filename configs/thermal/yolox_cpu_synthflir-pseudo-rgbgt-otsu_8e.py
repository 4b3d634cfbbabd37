# The pseudo-label chain on the synthetic paired set, run by tools/train.py before training:
# teacher = the synthetic RGB ground truth (a perfect RGB detector; swap in
# dict(type='mmdet', config=..., checkpoint=...) for a trained teacher) -> class map ->
# score threshold -> RGB-to-thermal homography -> weight-free thermal Otsu refinement ->
# COCO json in <work_dir>/pseudo_labels/<key>/ -> the CPU YOLOX trained on it -> evaluated
# on the thermal ground truth of the val split.
_base_ = './yolox_cpu_synthflir_8e.py'

flir_root = 'data/synthetic_flir/'
pseudo_labels = dict(
    source=dict(data_root=flir_root + 'train/', ann_file='thermal_annotations.json',
                rgb_dir='RGB'),
    teacher=dict(type='coco_file', ann_file=flir_root + 'train/rgb_annotations.json'),
    class_map=dict(person='person', bicycle='bicycle', car='car'),
    score_thr=0.5,
    rgb_to_thermal=flir_root + 'rgb_to_thermal_homography.json',
    refiner=dict(type='SAM2PseudoLabeler', backend=dict(type='thermal_otsu'), iou_thr=0.5,
                 min_area=16),
    refine_on='thermal',
    min_box_size=2)
