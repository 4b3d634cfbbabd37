# As dinosaur_dinov2-vits14_movi-c_224.py with the backbone from mmpretrain
# (VisionTransformer arch 'dinov2-small'); `checkpoint` is a local mmpretrain DINOv2 file,
# e.g. vit-small-p14_dinov2-pre_3rdparty_20230426-5641ca5a.pth from mmpretrain's model zoo.
_base_ = ['./dinosaur_dinov2-vits14_movi-c_224.py']
model = dict(backbone=dict(
    _delete_=True, type='FrozenViTBackbone', source='mmpretrain', arch='dinov2-small',
    patch_size=14, img_size=224, layer='last_block',
    checkpoint='checkpoints/vit-small-p14_dinov2-pre_3rdparty_20230426-5641ca5a.pth'))
