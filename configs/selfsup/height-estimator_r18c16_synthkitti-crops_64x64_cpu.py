# Per-instance object-height estimator (log 002: heights from a learned estimator instead
# of class means): 64x64 crops of labelled instances (mask files with 'heights') ->
# metric height, ResNet-18 at 16 base channels from scratch, L1 loss. Trains on the
# synthetic twin's train split, validates on its val split; export the predictions into
# the mask files with tools/dataset_converters/export_instance_heights.py.
_base_ = ['../_base_/default_runtime.py']
data_root = 'data/synthkitti'
classes = ('car', 'pedestrian', 'cyclist')
synth = dict(num_drives=4, frames_per_drive=40, image_size=(416, 128), seed=0)
model = dict(
    type='ObjectHeightEstimator', num_classes=3, class_heights=(1.5, 1.7, 1.7), hidden=64,
    backbone=dict(type='ResNet', depth=18, base_channels=16, out_indices=(3, ),
                  norm_cfg=dict(type='BN', requires_grad=True), init_cfg=None))
_crops = dict(type='ObjectCropDataset', data_root=data_root, mask_root='masks',
              crop_size=(64, 64), context=0.1, min_area=20, metainfo=dict(classes=classes),
              generate_if_missing=synth)
train_dataloader = dict(
    batch_size=32, num_workers=0, sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(_crops, ann_file='splits/synthetic/train_files.txt'))
val_dataloader = dict(
    batch_size=32, num_workers=0, sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(_crops, ann_file='splits/synthetic/val_files.txt'))
test_dataloader = val_dataloader
val_evaluator = dict(type='ObjectHeightMetric')
test_evaluator = val_evaluator
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=30, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[20], gamma=0.1)]
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=10, max_keep_ckpts=1))
