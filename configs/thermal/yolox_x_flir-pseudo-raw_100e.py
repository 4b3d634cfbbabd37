# YOLOX-x trained on thermal pseudo-labels from a COCO YOLOX-x teacher run on the paired RGB
# frames, mapped into thermal pixels, *without* refinement (seed 003's first baseline).
# Before running: the teacher's config and weights (mmdet model zoo) in checkpoints/teachers/
#   mim download mmdet --config yolox_x_8xb8-300e_coco --dest checkpoints/teachers
# and the RGB->thermal homography of the rig (v1.3 frames are not registered):
#   python tools/analysis_tools/fit_rgb_thermal_homography.py points.csv \
#       data/FLIR_ADAS_1_3/rgb_to_thermal_homography.json
_base_ = './yolox_x_flir-thermal-gt_100e.py'

flir_root = 'data/FLIR_ADAS_1_3/'
pseudo_labels = dict(
    source=dict(data_root=flir_root + 'train/', ann_file='thermal_annotations.json',
                rgb_dir='RGB'),
    teacher=dict(type='mmdet',
                 config='checkpoints/teachers/yolox_x_8xb8-300e_coco.py',
                 checkpoint='checkpoints/teachers/yolox_x_8x8_300e_coco_20211126_140254-'
                 '1ef88d67.pth',
                 device='cuda'),
    # COCO -> FLIR: FLIR's "bicycle" covers bicycles and motorcycles
    class_map=dict(person='person', bicycle='bicycle', motorcycle='bicycle', car='car'),
    score_thr=0.5,
    rgb_to_thermal=flir_root + 'rgb_to_thermal_homography.json',
    refiner=None,
    refine_on='thermal',
    min_box_size=4)
