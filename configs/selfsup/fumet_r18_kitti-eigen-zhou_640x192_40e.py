# FUMET (Kinoshita & Nishino, ECCV 2024; seed 002) as its public code trains it
# (kyotovision-public/fumet, options.py defaults + the README's --remove_outliers
# --disable_road_masking): monodepth2 R18 640x192 (bounded disparity 0.1-100 m, pose x0.01,
# (x - 0.45) / 0.225) plus
# - rough term: every mask pixel |H - (v_max - v_min) D / f_y|, H the instance's own height
#   from the mask file (FUMET's data files; no class means), weight 1.0 x (1 - r);
# - fine term: every road pixel |h_target - h(pixel)| with 8-neighbour normals, weight
#   0.01 x r; r = log(e + 1) / log(21) (0.23 / 0.59 / 0.79 after epochs 1 / 5 / 10, 1 from
#   epoch 20; the rough rate then 0.005); both on all 4 scales, averaged over scales;
# - camera-height target: median of the heights collected while training each epoch,
#   epoch-weighted running mean from FUMET's epoch 1 (0-based) on;
# - outlier objects (horizon-implied height off by > 20%) dropped once a target exists;
#   road pixels never auto-masked in moving images.
# Adam 5e-5, batch 8, x0.5 every 15 epochs, 40 epochs. Needs road/instance masks with
# per-instance heights per training frame (mask_root; format in
# mmext/selfsup/datasets/road_masks.py; heights: an ObjectHeightEstimator's predictions,
# tools/dataset_converters/export_instance_heights.py). Paper (KITTI Eigen, no median
# scaling; FUMET's README trains R50 for 60 epochs, see
# fumet_r50_kitti-eigen-zhou_640x192_60e.py): abs_rel 0.108, sq_rel 0.785, rmse 4.736,
# d1 0.871.
_base_ = ['./monodepth2_r18_kitti-eigen-zhou_640x192_20e.py']

# Only the classes that carry a height prior enter the filter when a file has no height;
# with height_source='instance' every used instance has its own height.
height_priors = dict(car=(1.53, 0.14), pedestrian=(1.76, 0.11), cyclist=(1.73, 0.09))
model = dict(
    photometric_loss=dict(road_exempt=True, static_fraction=0.75),
    object_height_loss=dict(type='ObjectHeightLoss', height_priors=height_priors,
                            classes={{_base_.classes}}, form='per_pixel',
                            height_source='instance', loss_weight=1.0),
    camera_height_loss=dict(type='CameraHeightLoss', form='per_pixel', min_fraction=0.01,
                            loss_weight=0.01),
    metric_scales='all', road_geometry='fumet', road_min_fraction=0.01,
    # FUMET has no size / truncation test; the horizon test runs once a target exists
    object_filter=dict(min_area=0, border_margin=0, max_rel_error=0.2, horizon='fumet'),
    loss_schedule=dict(
        object=dict(type='fumet_rough', limit_epoch=20, keep_epoch=1, min_value=0.005),
        camera=dict(type='fumet_fine', limit_epoch=20, keep_epoch=1)))
custom_hooks = [
    dict(type='SetEpochInfoHook'),
    dict(type='CameraHeightHook', source='train', update='epoch_weighted', first_epoch=2,
         reference_height=1.65),
]
train_dataloader = dict(batch_size=8)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=5e-5))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=40, val_interval=1)
param_scheduler = [dict(type='StepLR', by_epoch=True, step_size=15, gamma=0.5)]
