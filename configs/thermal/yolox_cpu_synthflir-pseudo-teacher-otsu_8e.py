# Thermal student trained on pseudo-labels from the RGB teacher (a trained detector, not the
# RGB ground truth): teacher detections on the paired RGB frames -> score >= 0.5 -> known
# homography -> weight-free thermal Otsu refinement -> CPU YOLOX on thermal frames ->
# evaluated on the thermal ground truth. Run the teacher config first (make demo does).
_base_ = './yolox_cpu_synthflir-pseudo-rgbgt-otsu_8e.py'

pseudo_labels = dict(teacher=dict(
    _delete_=True, type='mmdet',
    config='configs/thermal/yolox_cpu_synthflir-rgb-teacher_8e.py',
    checkpoint='work_dirs/demo_rgb_teacher/epoch_8.pth', device='cpu'))
