# The pixel Slot Attention autoencoder (Locatello et al. 2020; log 004's "Pixel Slot") on
# MOVi-C at its native 128 px: 4 conv 5x5 (64 ch, stride 1) + position embedding, 5 slots of
# 64-d (the log's slot count, as its DINOv2 counterpart
# dinosaur-5slots-tau05_dinov2-vits14_movi-c_224.py), spatial-broadcast decoder 8 -> 128 px.
# GPU-sized: the pixel side of the colour-jitter mask-stability comparison
# (benchmarks/slots_color_jitter_stability.py; expected time there).
_base_ = ['../_base_/slots_runtime.py', '../_base_/movi_c_clips.py']
num_slots = 5
slot_dim = 64
pipeline = [dict(type='LoadMOViClip'), dict(type='PackSlotInputs')]  # 128 px as stored
train_dataloader = dict(batch_size=32, dataset=dict(pipeline=pipeline))
val_dataloader = dict(dataset=dict(pipeline=pipeline))
test_dataloader = val_dataloader
model = dict(
    type='PixelSlotAutoencoder',
    data_preprocessor=dict(type='SlotDataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3),
    cnn_channels=64, cnn_strides=(1, 1, 1, 1),
    encoder=dict(type='SlotAttentionEncoder', in_dim=64, slot_dim=slot_dim,
                 num_slots=num_slots, iters=3, feature_projection='mlp'),
    decoder=dict(type='SpatialBroadcastDecoder', slot_dim=slot_dim, hidden_channels=64,
                 init_size=8, num_upsample=4, mask_temperature=1.0),
    test_cfg=dict(eval_seed=0,
                  stability_jitter=dict(brightness=1.2, contrast=0.8, saturation=1.3,
                                        hue=0.1)))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=30000, val_interval=10000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=4e-4),
                     clip_grad=dict(max_norm=1.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0, end=3000),
    dict(type='CosineAnnealingLR', T_max=27000, eta_min=1e-6, by_epoch=False, begin=3000,
         end=30000),
]
val_evaluator = [
    dict(type='ObjectDiscoveryMetric', video_level=False, convention='reference'),
    dict(type='MaskStabilityMetric'),
    dict(type='SlotDiversityMetric'),
    dict(type='MaskSimilarityMetric'),
]
test_evaluator = val_evaluator
