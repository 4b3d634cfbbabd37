# FLIR ADAS v1.3 thermal frames (data/FLIR_ADAS_1_3/{train,val}/, see data/README.md) with the
# standard YOLOX training pipeline (Mosaic, RandomAffine, MixUp, HSV, flip) at 640.
dataset_type = 'FLIRDataset'
data_root = 'data/FLIR_ADAS_1_3/'
classes = ('person', 'bicycle', 'car')
img_scale = (640, 640)  # (w, h)
backend_args = None

train_pipeline = [
    dict(type='Mosaic', img_scale=img_scale, pad_val=114.0),
    dict(type='RandomAffine', scaling_ratio_range=(0.1, 2),
         border=(-img_scale[0] // 2, -img_scale[1] // 2)),
    dict(type='MixUp', img_scale=img_scale, ratio_range=(0.8, 1.6), pad_val=114.0),
    dict(type='YOLOXHSVRandomAug'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='Pad', pad_to_square=True, pad_val=dict(img=(114.0, 114.0, 114.0))),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1, 1), keep_empty=False),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='Pad', pad_to_square=True, pad_val=dict(img=(114.0, 114.0, 114.0))),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataset = dict(
    type='MultiImageMixDataset',
    dataset=dict(
        type=dataset_type,
        data_root=data_root + 'train/',
        ann_file='thermal_annotations.json',
        data_prefix=dict(img=''),
        metainfo=dict(classes=classes),
        pipeline=[dict(type='LoadImageFromFile', backend_args=backend_args),
                  dict(type='LoadAnnotations', with_bbox=True)],
        filter_cfg=dict(filter_empty_gt=False, min_size=4),
        backend_args=backend_args),
    pipeline=train_pipeline)
train_dataloader = dict(
    batch_size=8, num_workers=4, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True), dataset=train_dataset)
val_dataloader = dict(
    batch_size=8, num_workers=4, persistent_workers=True, drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root + 'val/',
                 ann_file='thermal_annotations.json', data_prefix=dict(img=''),
                 metainfo=dict(classes=classes), test_mode=True, pipeline=test_pipeline,
                 backend_args=backend_args))
test_dataloader = val_dataloader
val_evaluator = dict(type='CocoClasswiseMetric',
                     ann_file=data_root + 'val/thermal_annotations.json',
                     backend_args=backend_args)
test_evaluator = val_evaluator
