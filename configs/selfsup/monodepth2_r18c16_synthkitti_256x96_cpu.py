# CPU-sized monodepth2 baseline on the synthetic KITTI twin: a ResNet-18 with 16 base
# channels (depth and pose), random init, 256x96 input; monodepth2's bounded disparity
# (0.1-100 m), pose x0.01 and (x - 0.45) / 0.225 input normalisation (from the base model).
# Same data, architecture, schedule and seed as fumet_r18c16_synthkitti_256x96_cpu.py,
# without the metric terms and the camera-height hook -- the comparison isolates them.
# mmext's earlier CPU baseline (softplus depth, translation x1.0) is the labelled variant
# monodepth2-softplus_r18c16_synthkitti_256x96_cpu.py.
_base_ = ['../_base_/selfsup_runtime.py', '../_base_/models/monodepth2_r18.py',
          '../_base_/datasets/synthkitti_road.py']
norm_cfg = dict(type='BN', requires_grad=True)
r18c16 = dict(type='ResNet', depth=18, base_channels=16, norm_cfg=norm_cfg,
              norm_eval=False, init_cfg=None)
model = dict(
    depth_encoder=dict(pretrained=None, backbone=dict(r18c16, in_channels=3)),
    depth_decoder=dict(num_ch_dec=(8, 16, 32, 64, 128)),
    pose_net=dict(hidden=64, encoder=dict(pretrained=None,
                                          backbone=dict(r18c16, in_channels=6))))
max_epochs = 60
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=5e-4))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=20)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[50], gamma=0.1)]
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10, max_keep_ckpts=2))
