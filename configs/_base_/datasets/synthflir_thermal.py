# Synthetic FLIR ADAS v1.3-layout thermal detection set (make it with
# `python tools/dataset_converters/make_synthetic_flir.py data/synthetic_flir`).
# Real FLIR v1.3: set data_root = 'data/FLIR_ADAS_1_3/' (same sub-folders and file names).
dataset_type = 'FLIRDataset'
data_root = 'data/synthetic_flir/'
classes = ('person', 'bicycle', 'car')
img_scale = (192, 160)  # (w, h) for training and testing (0.3x of the 640x512 frames: CPU-sized)
backend_args = None

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomAffine', scaling_ratio_range=(0.75, 1.25), max_rotate_degree=0.0,
         max_shear_degree=0.0, max_translate_ratio=0.1, border=(0, 0),
         border_val=(114, 114, 114)),
    dict(type='YOLOXHSVRandomAug'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='Pad', size=img_scale, pad_val=dict(img=(114.0, 114.0, 114.0))),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1, 1), keep_empty=False),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='Pad', size=img_scale, pad_val=dict(img=(114.0, 114.0, 114.0))),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root + 'train/',
        ann_file='thermal_annotations.json',
        data_prefix=dict(img=''),
        metainfo=dict(classes=classes),
        filter_cfg=dict(filter_empty_gt=False, min_size=4),
        pipeline=train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root + 'val/',
        ann_file='thermal_annotations.json',
        data_prefix=dict(img=''),
        metainfo=dict(classes=classes),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='CocoClasswiseMetric',
    ann_file=data_root + 'val/thermal_annotations.json',
    backend_args=backend_args)
test_evaluator = val_evaluator
