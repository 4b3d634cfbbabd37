# FUMET with the command of its README (KITTI): monodepth2 ResNet-50, 60 epochs, otherwise
# as fumet_r18_kitti-eigen-zhou_640x192_40e.py (FUMET's option defaults).
_base_ = ['./fumet_r18_kitti-eigen-zhou_640x192_40e.py']
model = dict(
    depth_encoder=dict(pretrained='torchvision://resnet50', backbone=dict(depth=50)),
    pose_net=dict(encoder=dict(pretrained='torchvision://resnet50', backbone=dict(depth=50))))
train_cfg = dict(max_epochs=60)
