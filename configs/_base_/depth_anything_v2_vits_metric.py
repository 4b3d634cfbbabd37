# Depth Anything V2 Metric, Small (vits encoder, DPT decoder, Sigmoid x max_depth), as the
# official metric_depth/ model_configs (features 64, out_channels [48, 96, 192, 384],
# layers [2, 5, 8, 11]).
model = dict(
    type='DepthEstimator',
    data_preprocessor=dict(type='DepthDataPreprocessor',
                           mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375]),
    backbone=dict(type='DINOv2Backbone', arch='vits'),
    decode_head=dict(type='DepthAnythingHead', in_channels=384, features=64,
                     out_channels=[48, 96, 192, 384], mode='metric', max_depth=20.0),
    losses=[dict(type='SILogLoss', lambd=0.5, loss_weight=1.0)],
    # HF port of the indoor (Hypersim) metric model; the official .pth works too:
    # pretrained='checkpoints/depth_anything_v2_metric_hypersim_vits.pth'
    pretrained='depth-anything/Depth-Anything-V2-Metric-Indoor-Small-hf')
