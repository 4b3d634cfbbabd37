# FUMET on Cityscapes sequences at 1024x320 (FUMET's formulas and settings as in
# fumet_r18_kitti-eigen-zhou_640x192_40e.py) with FUMET's Cityscapes command: 35 epochs, the
# weight schedules' limit scaled to the data set size (12 epochs = 39810 / 69731 x 20) and
# the learning-rate step to 8 epochs. Intrinsics from each sequence's camera json.
_base_ = ['../_base_/selfsup_runtime.py', '../_base_/models/monodepth2_r18.py',
          '../_base_/datasets/cityscapes_seq_1024x320.py']
height_priors = dict(car=(1.53, 0.14), pedestrian=(1.76, 0.11), cyclist=(1.73, 0.09))
model = dict(
    photometric_loss=dict(road_exempt=True, static_fraction=0.75),
    object_height_loss=dict(type='ObjectHeightLoss', height_priors=height_priors,
                            classes={{_base_.classes}}, form='per_pixel',
                            height_source='instance', loss_weight=1.0),
    camera_height_loss=dict(type='CameraHeightLoss', form='per_pixel', min_fraction=0.01,
                            loss_weight=0.01),
    metric_scales='all', road_geometry='fumet', road_min_fraction=0.01,
    object_filter=dict(min_area=0, border_margin=0, max_rel_error=0.2, horizon='fumet'),
    loss_schedule=dict(
        object=dict(type='fumet_rough', limit_epoch=12, keep_epoch=1, min_value=0.005),
        camera=dict(type='fumet_fine', limit_epoch=12, keep_epoch=1)))
custom_hooks = [
    dict(type='SetEpochInfoHook'),
    dict(type='CameraHeightHook', source='train', update='epoch_weighted', first_epoch=2),
]
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=5e-5))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=35, val_interval=1000)
param_scheduler = [dict(type='StepLR', by_epoch=True, step_size=8, gamma=0.5)]
