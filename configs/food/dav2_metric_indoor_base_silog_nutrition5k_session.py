# Seed 000 with the Base (vitb) encoder: Depth Anything V2 Metric-Indoor-Base fine-tuned on
# Nutrition5k with SILog (lambda 0.5), encoder lr 5e-6 (decoder x10), session split. Same data,
# schedule and evaluation as dav2_metric_indoor_large_silog_nutrition5k_session.py.
# Only the model size differs from the Large config (values as in
# ../_base_/depth_anything_v2_vitb_metric.py).
_base_ = ['./dav2_metric_indoor_large_silog_nutrition5k_session.py']

model = dict(
    backbone=dict(arch='vitb'),
    decode_head=dict(in_channels=768, features=128, out_channels=[96, 192, 384, 768]),
    pretrained='depth-anything/Depth-Anything-V2-Metric-Indoor-Base-hf')
