# CPU-sized monodepth2 baseline on the synthetic KITTI twin: a ResNet-18 with 16 base
# channels (depth and pose), random init, 256x96 input. Same data, architecture, depth
# output (unbounded softplus), schedule and seed as fumet_r18c16_synthkitti_256x96_cpu.py,
# without the two metric terms and the camera-height hook -- the comparison isolates them.
# (With monodepth2's bounded disparity and metric-sized translations the photometric loss
# barely moved in 9 epochs here: the sigmoid starts at 0.2 m.)
_base_ = ['../_base_/selfsup_runtime.py', '../_base_/models/monodepth2_r18.py',
          '../_base_/datasets/synthkitti_road.py']
norm_cfg = dict(type='BN', requires_grad=True)
r18c16 = dict(type='ResNet', depth=18, base_channels=16, norm_cfg=norm_cfg,
              norm_eval=False, init_cfg=None)
model = dict(
    depth_encoder=dict(pretrained=None, backbone=dict(r18c16, in_channels=3)),
    depth_decoder=dict(num_ch_dec=(8, 16, 32, 64, 128)),
    # translations of ~1 m/frame reachable (see PoseNet.translation_scale); the same for
    # the FUMET variant, so the two differ only by the metric terms
    depth_output=dict(_delete_=True, type='softplus', min_depth=0.1, init_depth=10.0),
    pose_net=dict(hidden=64, translation_scale=1.0, encoder=dict(pretrained=None,
                                          backbone=dict(r18c16, in_channels=6))))
max_epochs = 60
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=5e-4))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=20)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[50], gamma=0.1)]
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10, max_keep_ckpts=2))
