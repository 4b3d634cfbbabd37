# CPU-sized FUMET on the synthetic KITTI twin, FUMET's formulas and schedules as in
# fumet_r18_kitti-eigen-zhou_640x192_40e.py (per-pixel rough and fine terms on all scales,
# 8-neighbour normals, FUMET's log weight schedules, camera heights collected while
# training with the epoch-weighted running mean from FUMET's epoch 1, outlier test, road
# exempt from auto-masking; bounded disparity, pose x0.01, (x - 0.45) / 0.225) on the
# CPU baseline monodepth2_r18c16_synthkitti_256x96_cpu.py (its schedule: Adam 5e-4, 60
# epochs, random init). The per-instance heights are the ones the twin writes into its
# mask files (true heights: an ideal height estimator). The camera height (1.65 m) is
# never given to training (reference_height only draws the comparison line).
# mmext's earlier CPU form is the labelled variant fumet-legacy_r18c16_synthkitti_256x96_cpu.py.
_base_ = ['./monodepth2_r18c16_synthkitti_256x96_cpu.py']
height_priors = dict(car=(1.5, 0.05), pedestrian=(1.7, 0.08))
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
        object=dict(type='fumet_rough', limit_epoch=20, keep_epoch=1, min_value=0.005),
        camera=dict(type='fumet_fine', limit_epoch=20, keep_epoch=1)))
custom_hooks = [
    dict(type='SetEpochInfoHook'),
    dict(type='CameraHeightHook', source='train', update='epoch_weighted', first_epoch=2,
         reference_height=1.65),
]
