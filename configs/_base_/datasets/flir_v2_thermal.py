# FLIR ADAS v2 thermal frames (data/FLIR_ADAS_v2/, see data/README.md): the v1.3 pipeline of
# flir_v1_thermal.py on v2's folders, images_thermal_{train,val}/{data/, coco.json}
# (coco.json file names start with 'data/'). v2 names bicycles 'bike' (dog id 17).
_base_ = './flir_v1_thermal.py'

data_root = 'data/FLIR_ADAS_v2/'
classes = ('person', 'bike', 'car')
train_dataloader = dict(dataset=dict(dataset=dict(
    data_root=data_root + 'images_thermal_train/', ann_file='coco.json',
    metainfo=dict(classes=classes))))
val_dataloader = dict(dataset=dict(
    data_root=data_root + 'images_thermal_val/', ann_file='coco.json',
    metainfo=dict(classes=classes)))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'images_thermal_val/coco.json')
test_evaluator = val_evaluator
