# Labelled variant: mmext's earlier CPU FUMET (before the FUMET-code alignment), kept to
# reproduce benchmarks/RESULTS_selfsup.md: softplus depth, translation x1.0 and ImageNet
# normalisation (monodepth2-softplus_r18c16_synthkitti_256x96_cpu.py), one representative
# (first-quartile) depth per object with silhouette heights and class-mean priors, the
# camera-height loss on the median right x down road height, both on scale 0 only, the
# hook re-predicting the training frames after each epoch (moving average 0.5, from epoch
# 15), a consensus outlier test and a 10-epoch photometric warm-up before the rough term
# (log-decayed 0.1 -> 0.01). From scratch on CPU the geometry had to come first: with the
# rough term at 1.0 from the first iteration the road plane was never learned in one of two
# 60-epoch runs (camera heights of 13-84 "m").
_base_ = ['./monodepth2-softplus_r18c16_synthkitti_256x96_cpu.py']
height_priors = dict(car=(1.5, 0.05), pedestrian=(1.7, 0.08))
model = dict(
    object_height_loss=dict(type='ObjectHeightLoss', height_priors=height_priors,
                            classes={{_base_.classes}}, form='representative',
                            height_source='prior', depth_reduction='quantile',
                            quantile=0.25, height_mode='silhouette', loss_weight=1.0),
    camera_height_loss=dict(type='CameraHeightLoss', form='median', loss_weight=0.01),
    metric_scales='finest', road_geometry='right_down',
    object_filter=dict(min_area=30, border_margin=1, max_rel_error=0.2,
                       height_reference='consensus'),
    loss_schedule=dict(
        object=dict(type='log', start=0.1, end=0.01, begin_epoch=10, end_epoch=60),
        camera=dict(type='constant', value=1.0, begin_epoch=0)))
custom_hooks = [
    dict(type='SetEpochInfoHook'),
    dict(type='CameraHeightHook', dataloader={{_base_.estimate_dataloader}}, source='pass',
         update='momentum', interval=1, momentum=0.5, first_epoch=15, reference_height=1.65),
]
