# Depth Anything V2 Metric, Base (vitb encoder, DPT decoder, Sigmoid x max_depth), as the
# official metric_depth/ model_configs (features 128, out_channels [96, 192, 384, 768],
# layers [2, 5, 8, 11]).
model = dict(
    type='DepthEstimator',
    data_preprocessor=dict(type='DepthDataPreprocessor',
                           mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375]),
    backbone=dict(type='DINOv2Backbone', arch='vitb'),
    decode_head=dict(type='DepthAnythingHead', in_channels=768, features=128,
                     out_channels=[96, 192, 384, 768], mode='metric', max_depth=20.0),
    losses=[dict(type='SILogLoss', lambd=0.5, loss_weight=1.0)],
    # HF port of the indoor (Hypersim) metric model; the official .pth works too:
    # pretrained='checkpoints/depth_anything_v2_metric_hypersim_vitb.pth'
    pretrained='depth-anything/Depth-Anything-V2-Metric-Indoor-Base-hf')
