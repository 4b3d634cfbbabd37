# As yolox_cpu_synthflir-pseudo-teacher-otsu_8e.py without refinement (raw mapped boxes).
_base_ = './yolox_cpu_synthflir-pseudo-teacher-otsu_8e.py'
pseudo_labels = dict(refiner=None)
