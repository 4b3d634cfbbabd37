# Seed 000 with the Small (vits) encoder: Depth Anything V2 Metric-Indoor-Small fine-tuned on
# Nutrition5k with SILog (lambda 0.5), encoder lr 5e-6 (decoder x10), session split. Same data,
# schedule and evaluation as dav2_metric_indoor_large_silog_nutrition5k_session.py.
# Only the model size differs from the Large config (values as in
# ../_base_/depth_anything_v2_vits_metric.py).
_base_ = ['./dav2_metric_indoor_large_silog_nutrition5k_session.py']

model = dict(
    backbone=dict(arch='vits'),
    decode_head=dict(in_channels=384, features=64, out_channels=[48, 96, 192, 384]),
    pretrained='depth-anything/Depth-Anything-V2-Metric-Indoor-Small-hf')
