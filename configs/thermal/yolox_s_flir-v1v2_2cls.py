# Seed 003's FLIR matrix, "trained on v1+v2": as yolox_s_flir-v1_2cls.py on the merged set
# (each image tagged with its source) written by
#   python tools/dataset_converters/merge_flir_v1_v2.py data/ data/FLIR_v1v2/train.json \
#       --v1 data/FLIR_ADAS_1_3/train/thermal_annotations.json \
#       --v2 data/FLIR_ADAS_v2/images_thermal_train/coco.json
# (and the same for val -> data/FLIR_v1v2/val.json).
_base_ = './yolox_s_flir-v1_2cls.py'
train_dataloader = dict(dataset=dict(dataset=dict(data_root='data/',
                                                  ann_file='FLIR_v1v2/train.json')))
val_dataloader = dict(dataset=dict(data_root='data/', ann_file='FLIR_v1v2/val.json'))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file='data/FLIR_v1v2/val.json')
test_evaluator = val_evaluator
