# DINOSAUR on MOVi-C with the published MOVi-C settings (OCL framework
# configs/experiment/projects/bridging/dinosaur/movi_c_feat_rec.yaml): 11 slots of 128-d,
# 3 iterations, 2-layer MLP feature projection, MLP decoder (4 layers, 1024), plain alpha
# softmax (no temperature), MSE feature reconstruction; frames 128 -> 224 bicubic, clamped.
# Backbone: frozen DINOv2 ViT-S/14 (224 px -> 16 x 16 patches, 384-d). Frames are
# independent images; evaluation per frame at the 128 px GT, averaged over all frames
# (OCL's convention). The lab's own setting (5 slots, tau 0.5) is
# dinosaur-5slots-tau05_dinov2-vits14_movi-c_224.py.
_base_ = ['../_base_/slots_runtime.py', '../_base_/movi_c_clips.py']

num_slots = 11  # OCL / VideoSAUR MOVi-C
slot_dim = 128
feat_dim = 384
num_patches = (224 // 14) ** 2
model = dict(
    type='DINOSAUR',
    data_preprocessor=dict(type='SlotDataPreprocessor', mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375]),
    # HF id or a local directory holding the same files (offline: download it once)
    backbone=dict(type='FrozenViTBackbone', source='transformers',
                  pretrained='facebook/dinov2-small', layer='last_block'),
    encoder=dict(type='SlotAttentionEncoder', in_dim=feat_dim, slot_dim=slot_dim,
                 num_slots=num_slots, iters=3, feature_projection='mlp',
                 projection_hidden_dim=feat_dim, mlp_hidden_dim=4 * slot_dim,
                 temperature=1.0, init='xavier'),
    decoder=dict(type='MLPPatchDecoder', slot_dim=slot_dim, out_dim=feat_dim,
                 num_patches=num_patches, hidden_dim=1024, num_layers=4,
                 mask_temperature=1.0),
    test_cfg=dict(eval_seed=0,
                  stability_jitter=dict(brightness=1.2, contrast=0.8, saturation=1.3,
                                        hue=0.1)))

train_cfg = dict(type='IterBasedTrainLoop', max_iters=100000, val_interval=5000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=4e-4,
                                                         weight_decay=0.0),
                     clip_grad=dict(max_norm=1.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=10000),
    dict(type='ExponentialLR', gamma=0.5 ** (1 / 100000), by_epoch=False, begin=10000,
         end=100000),
]
val_evaluator = [
    dict(type='ObjectDiscoveryMetric', video_level=False, convention='reference'),
    dict(type='MaskStabilityMetric'),
    dict(type='SlotDiversityMetric'),
    dict(type='MaskSimilarityMetric'),
]
test_evaluator = val_evaluator
