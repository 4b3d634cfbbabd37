# As dinosaur_dinov2-vits14_movi-c_224.py with the backbone from mmpretrain
# (VisionTransformer arch 'dinov2-small' with LayerScale 1e-5, as mmpretrain's
# configs/dinov2/vit-small-p14_dinov2-pre_headless.py). `checkpoint` is a local file in one
# of three layouts: the mmpretrain zoo file
# vit-small-p14_dinov2-pre_3rdparty_20230426-5641ca5a.pth (`backbone.` prefix), bare
# mmpretrain keys, or facebookresearch's dinov2_vits14_pretrain.pth (converted on load).
# Every key of the frozen ViT must load, or building the model fails (no random backbone).
_base_ = ['./dinosaur_dinov2-vits14_movi-c_224.py']
model = dict(backbone=dict(
    _delete_=True, type='FrozenViTBackbone', source='mmpretrain', arch='dinov2-small',
    patch_size=14, img_size=224, layer='last_block',
    mmpretrain_kwargs=dict(layer_scale_init_value=1e-5),
    checkpoint='checkpoints/vit-small-p14_dinov2-pre_3rdparty_20230426-5641ca5a.pth'))
