# Seed 003's FLIR matrix, "trained on v2": as yolox_s_flir-v1_2cls.py on FLIR v2 thermal GT.
_base_ = './yolox_s_flir-v1_2cls.py'
data_root = 'data/FLIR_ADAS_v2/'
train_dataloader = dict(dataset=dict(dataset=dict(
    data_root=data_root + 'images_thermal_train/', ann_file='coco.json')))
val_dataloader = dict(dataset=dict(data_root=data_root + 'images_thermal_val/',
                                   ann_file='coco.json'))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'images_thermal_val/coco.json')
test_evaluator = val_evaluator
