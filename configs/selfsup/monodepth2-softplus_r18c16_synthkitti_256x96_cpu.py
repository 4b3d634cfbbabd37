# Labelled variant of monodepth2_r18c16_synthkitti_256x96_cpu.py: mmext's earlier CPU
# baseline -- unbounded softplus depth (Insta-DM), pose translation x1.0 and ImageNet input
# normalisation instead of monodepth2's bounded disparity, x0.01 and (x - 0.45) / 0.225.
# Why: with the bounded disparity and metric-sized translations the photometric loss barely
# moved in 9 CPU epochs here (the sigmoid starts at 0.2 m), and translations of ~1 m/frame
# need raw pose outputs of ~100 at x0.01.
_base_ = ['./monodepth2_r18c16_synthkitti_256x96_cpu.py']
imagenet = dict(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225))
model = dict(
    depth_encoder=dict(**imagenet),
    depth_output=dict(_delete_=True, type='softplus', min_depth=0.1, init_depth=10.0),
    pose_net=dict(translation_scale=1.0, encoder=dict(**imagenet)))
