# The RGB teacher of the synthetic pseudo-label demo: the CPU YOLOX trained on the synthetic
# set's *RGB* frames with their ground truth (rgb_annotations.json, RGB/ folder), evaluated
# on the RGB val frames. Its detections on the paired RGB frames become thermal
# pseudo-labels in yolox_cpu_synthflir-pseudo-teacher-otsu_8e.py.
_base_ = './yolox_cpu_synthflir_8e.py'

train_dataloader = dict(dataset=dict(ann_file='rgb_annotations.json'))
val_dataloader = dict(dataset=dict(ann_file='rgb_annotations.json'))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file='data/synthetic_flir/val/rgb_annotations.json')
test_evaluator = val_evaluator
