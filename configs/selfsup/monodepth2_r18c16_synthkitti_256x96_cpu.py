# CPU-sized monodepth2 baseline on the synthetic KITTI twin: a ResNet-18 with 16 base
# channels (depth and pose), random init, 256x96 input, bounded disparity (0.1-100 m).
# Same data, schedule and seed as fumet_r18c16_synthkitti_256x96_cpu.py, without the two
# metric terms.
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
    pose_net=dict(hidden=64, translation_scale=1.0, encoder=dict(pretrained=None,
                                          backbone=dict(r18c16, in_channels=6))))
max_epochs = 40
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=5e-4))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[30], gamma=0.1)]
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10))
