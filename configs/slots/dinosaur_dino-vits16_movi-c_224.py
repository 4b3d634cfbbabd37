# DINOSAUR with a DINOv1 ViT-S/16 backbone (224 px -> 14 x 14 patches, 384-d).
# Seed 004: with DINOv2 hyper-parameters DINOv1 (feature std 3.7) trained poorly; tune lr.
_base_ = ['./dinosaur_dinov2-vits14_movi-c_224.py']
model = dict(
    backbone=dict(pretrained='facebook/dino-vits16'),
    decoder=dict(num_patches=(224 // 16) ** 2))
