# FUMET (seed 002): monodepth2 R18 640x192 that learns metric scale without GT from
# object-height priors (rough term, weight 1.0 decayed log-wise over the 20 epochs) and a
# camera-height consistency term (weight 0.01) against CameraHeightHook's dataset-wide
# estimate (median over frames, moving average across epochs, first estimate after epoch
# 1). Unbounded softplus depth (bounded disparity caps metric depth). Needs road/instance
# masks per training frame (mask_root, format in mmext/selfsup/datasets/road_masks.py).
# Published (no median scaling): abs_rel 0.108, sq_rel 0.785, rmse 4.736, d1 0.871.
_base_ = ['./monodepth2_r18_kitti-eigen-zhou_640x192_20e.py']

# Mean heights of KITTI 3D object labels (Car 1.53 m, Pedestrian 1.76 m, Cyclist 1.73 m)
# with rough spreads; only the means enter the default loss (normalize_by_std=False).
height_priors = dict(car=(1.53, 0.14), pedestrian=(1.76, 0.11), cyclist=(1.73, 0.09))
model = dict(
    # metric translations (~1 m/frame) must be reachable: PoseNet.translation_scale
    pose_net=dict(translation_scale=1.0),
    depth_output=dict(_delete_=True, type='softplus', min_depth=0.1, init_depth=10.0),
    object_height_loss=dict(type='ObjectHeightLoss', height_priors=height_priors,
                            classes={{_base_.classes}}, depth_reduction='quantile',
                            quantile=0.25, height_mode='silhouette', loss_weight=1.0),
    camera_height_loss=dict(type='CameraHeightLoss', loss_weight=0.01),
    object_filter=dict(min_area=200, border_margin=1, max_rel_error=0.2),
    loss_schedule=dict(
        object=dict(type='log', start=1.0, end=0.01, begin_epoch=0, end_epoch=20),
        camera=dict(type='constant', value=1.0, begin_epoch=1)))
custom_hooks = [
    dict(type='SetEpochInfoHook'),
    dict(type='CameraHeightHook', dataloader={{_base_.estimate_dataloader}}, interval=1,
         momentum=0.5, first_epoch=1, reference_height=1.65),
]
