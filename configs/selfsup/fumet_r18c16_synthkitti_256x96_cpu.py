# CPU-sized FUMET on the synthetic KITTI twin: the baseline of
# monodepth2_r18c16_synthkitti_256x96_cpu.py plus the object-height (rough) and
# camera-height (fine) terms, softplus depth, CameraHeightHook after every epoch. The priors
# are the synthetic objects' height distributions (cars N(1.5, 0.05), pedestrians
# N(1.7, 0.08)); the camera height (1.65 m) is never given to training (reference_height
# only draws the comparison line on the curve).
_base_ = ['./monodepth2_r18c16_synthkitti_256x96_cpu.py']
height_priors = dict(car=(1.5, 0.05), pedestrian=(1.7, 0.08))
model = dict(
    object_height_loss=dict(type='ObjectHeightLoss', height_priors=height_priors,
                            classes={{_base_.classes}}, depth_reduction='quantile',
                            quantile=0.25, height_mode='silhouette', loss_weight=1.0),
    camera_height_loss=dict(type='CameraHeightLoss', loss_weight=0.01),
    object_filter=dict(min_area=30, border_margin=1, max_rel_error=0.2),
    loss_schedule=dict(
        object=dict(type='log', start=1.0, end=0.1, begin_epoch=0, end_epoch=60),
        camera=dict(type='constant', value=1.0, begin_epoch=0)))
custom_hooks = [
    dict(type='SetEpochInfoHook'),
    dict(type='CameraHeightHook', dataloader={{_base_.estimate_dataloader}}, interval=1,
         momentum=0.5, first_epoch=15, reference_height=1.65),
]
