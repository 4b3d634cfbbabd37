# CPU-sized YOLOX (tiny depth, quarter width, 192x160 input) trained from scratch on the
# synthetic FLIR-layout thermal set with its thermal ground truth: the embedded default of
# `make demo` (the GT-supervised upper bound of the pseudo-label experiments).
_base_ = [
    '../_base_/models/yolox_cpu.py',
    '../_base_/datasets/synthflir_thermal.py',
    '../_base_/det_runtime.py',
]

max_epochs = 8
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=4)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

base_lr = 2e-3
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=base_lr, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0),
    clip_grad=dict(max_norm=10.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=60),
    dict(type='CosineAnnealingLR', eta_min=base_lr * 0.05, begin=1, end=max_epochs,
         T_max=max_epochs - 1, by_epoch=True, convert_to_iter_based=True),
]
default_hooks = dict(
    checkpoint=dict(interval=4, max_keep_ckpts=2, save_best='coco/bbox_mAP_50', rule='greater'),
    logger=dict(interval=10))
custom_hooks = [
    dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0002, update_buffers=True,
         priority=49),
]
auto_scale_lr = dict(enable=False, base_batch_size=8)
