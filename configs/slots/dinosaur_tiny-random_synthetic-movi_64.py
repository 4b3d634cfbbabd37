# DINOSAUR plumbing on CPU without downloads: a *randomly initialised, frozen* tiny DINOv2
# (patch 8 -> 8 x 8 tokens). Its features are not DINOv2's: use it for smoke tests and
# speed, not for the DINOv2-vs-pixel comparison (that needs
# dinosaur_dinov2-vits14_synthetic-movi_224.py and the real weights). Its 8 x 8 token masks
# bound per-frame FG-ARI at 0.44 on these small objects even when perfect (a 2x2 grid
# scores 0.60); the attention-mask configs use patch 4 (16 x 16 tokens, bound 0.84).
_base_ = ['../_base_/slots_runtime.py', '../_base_/movi_synthetic_clips.py',
          '../_base_/slots_cpu_schedule.py']
num_slots = 5
slot_dim = 64
feat_dim = 64
model = dict(
    type='DINOSAUR',
    data_preprocessor=dict(type='SlotDataPreprocessor'),
    backbone=dict(type='FrozenViTBackbone', source='transformers',
                  hf_config=dict(model_type='dinov2', hidden_size=feat_dim,
                                 num_hidden_layers=2, num_attention_heads=2, mlp_ratio=2,
                                 image_size=64, patch_size=8)),
    encoder=dict(type='SlotAttentionEncoder', in_dim=feat_dim, slot_dim=slot_dim,
                 num_slots=num_slots, iters=3, feature_projection='mlp'),
    decoder=dict(type='MLPPatchDecoder', slot_dim=slot_dim, out_dim=feat_dim,
                 num_patches=(64 // 8) ** 2, hidden_dim=256, num_layers=3,
                 mask_temperature=0.5),
    test_cfg=dict(eval_seed=0,
                  stability_jitter=dict(brightness=1.2, contrast=0.8, saturation=1.3,
                                        hue=0.1)))
val_evaluator = [
    dict(type='ObjectDiscoveryMetric', video_level=False),
    dict(type='MaskStabilityMetric'),
    dict(type='SlotDiversityMetric'),
    dict(type='MaskSimilarityMetric'),
]
test_evaluator = val_evaluator
default_hooks = dict(checkpoint=dict(interval=1000, save_best=None))
