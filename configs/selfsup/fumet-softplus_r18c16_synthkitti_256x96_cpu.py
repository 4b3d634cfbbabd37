# Labelled variant of fumet_r18c16_synthkitti_256x96_cpu.py (FUMET's formulas and
# schedules) with mmext's earlier output parameterisation: unbounded softplus depth and pose
# translation x1.0 (ImageNet input normalisation), as monodepth2-softplus_r18c16_... is to
# the baseline. Why: a from-scratch CPU network with the bounded disparity starts at 0.2 m
# and metric translations need raw pose outputs of ~100 at x0.01 (see docs/selfsup.md).
_base_ = ['./fumet_r18c16_synthkitti_256x96_cpu.py']
imagenet = dict(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225))
model = dict(
    depth_encoder=dict(**imagenet),
    depth_output=dict(_delete_=True, type='softplus', min_depth=0.1, init_depth=10.0),
    pose_net=dict(translation_scale=1.0, encoder=dict(**imagenet)))
