# DINOSAUR with a CLIP ViT-B/16 image tower (224 px -> 14 x 14 patches, 768-d), CLIP's own
# normalisation. Seed 004: CLIP features (std 0.5) were unstable with DINOv2 settings.
_base_ = ['./dinosaur_dinov2-vits14_movi-c_224.py']
feat_dim = 768
model = dict(
    data_preprocessor=dict(mean=[122.7709, 116.7460, 104.0937],
                           std=[68.5005, 66.6322, 70.3232]),
    backbone=dict(pretrained='openai/clip-vit-base-patch16'),
    encoder=dict(in_dim=feat_dim, projection_hidden_dim=feat_dim),
    decoder=dict(out_dim=feat_dim, num_patches=(224 // 16) ** 2))
