# monodepth2 (Godard et al. 2019) with ResNet-18 depth and pose encoders (mmdet ResNet),
# inputs normalised as monodepth2's ResnetEncoder ((x - 0.45) / 0.225), bounded disparity
# output (depth in [0.1, 100] m), pose rotation and translation x0.01, SSIM+L1
# min-reprojection with auto-masking, edge-aware smoothness 1e-3, scales 0-3, frames
# [0, -1, +1].
# ImageNet weights: 'torchvision://resnet18' (needs a download or a local copy; set
# pretrained=None to train from scratch).
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='SelfSupDepthEstimator',
    data_preprocessor=dict(type='SelfSupDataPreprocessor'),
    frame_ids=(0, -1, 1),
    depth_encoder=dict(
        type='ResNetPyramidEncoder', pretrained='torchvision://resnet18',
        mean=(0.45, 0.45, 0.45), std=(0.225, 0.225, 0.225),
        backbone=dict(type='ResNet', depth=18, in_channels=3, norm_cfg=norm_cfg,
                      norm_eval=False, init_cfg=None)),
    depth_decoder=dict(type='MonoDepthDecoder', scales=(0, 1, 2, 3)),
    pose_net=dict(
        type='PoseNet', output_scale=0.01, translation_scale=0.01,
        encoder=dict(type='ResNetPyramidEncoder', pretrained='torchvision://resnet18',
                     mean=(0.45, 0.45, 0.45), std=(0.225, 0.225, 0.225),
                     backbone=dict(type='ResNet', depth=18, in_channels=6,
                                   norm_cfg=norm_cfg, norm_eval=False, init_cfg=None))),
    depth_output=dict(type='bounded_disparity', min_depth=0.1, max_depth=100.0),
    photometric_loss=dict(type='PhotometricReprojectionLoss', alpha=0.85, automask=True),
    smoothness_loss=dict(type='EdgeAwareSmoothnessLoss', loss_weight=1e-3))
