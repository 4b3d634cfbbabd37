# Seed 001 with the Small (vits) encoder (log 001 suggests starting with ViT-S/B): L1 depth
# (food mask) + 0.1 gradient + 0.05 plane-levelness + 0.1 relative volume error; encoder frozen
# for 2 epochs, then all layers at LR x0.5 (log 001: "halve"; x0.2 in the _stage2x0.2 variant
# of the Large config). Same data and evaluation as the Large config.
# Only the model size differs from the Large config (values as in
# ../_base_/depth_anything_v2_vits_metric.py).
_base_ = ['./dav2_metric_indoor_large_volume_mix_nutrition5k.py']

model = dict(
    backbone=dict(arch='vits'),
    decode_head=dict(in_channels=384, features=64, out_channels=[48, 96, 192, 384]),
    pretrained='depth-anything/Depth-Anything-V2-Metric-Indoor-Small-hf')
