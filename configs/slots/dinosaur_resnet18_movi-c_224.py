# DINOSAUR with frozen ImageNet ResNet-18 features instead of a ViT (log 004's ex_dino1:
# "ResNet18 features + Slot Attention"): layer3 output, stride 16 -> 14 x 14 tokens of
# 256-d at 224 px; otherwise the published MOVi-C settings of
# dinosaur_dinov2-vits14_movi-c_224.py (11 slots). 'torchvision://resnet18' downloads the
# weights once; a local .pth works as well. Every backbone key must load.
_base_ = ['./dinosaur_dinov2-vits14_movi-c_224.py']
feat_dim = 256
model = dict(
    backbone=dict(_delete_=True, type='ResNetTokenBackbone', depth=18, out_stage=2,
                  checkpoint='torchvision://resnet18', frozen=True),
    encoder=dict(in_dim=feat_dim, projection_hidden_dim=feat_dim),
    decoder=dict(out_dim=feat_dim, num_patches=(224 // 16) ** 2))
