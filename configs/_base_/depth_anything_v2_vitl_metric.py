# Depth Anything V2 Metric (ViT-L encoder, DPT decoder, Sigmoid x max_depth), as in the official
# metric_depth/ (features 256, out_channels [256, 512, 1024, 1024], layers [4, 11, 17, 23]).
model = dict(
    type='DepthEstimator',
    data_preprocessor=dict(type='DepthDataPreprocessor',
                           mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375]),
    backbone=dict(type='DINOv2Backbone', arch='vitl'),
    decode_head=dict(type='DepthAnythingHead', in_channels=1024, features=256,
                     out_channels=[256, 512, 1024, 1024], mode='metric', max_depth=20.0),
    losses=[dict(type='SILogLoss', lambd=0.5, loss_weight=1.0)],
    # HF port of the indoor (Hypersim) metric model; the official .pth works too:
    # pretrained='checkpoints/depth_anything_v2_metric_hypersim_vitl.pth'
    pretrained='depth-anything/Depth-Anything-V2-Metric-Indoor-Large-hf')
