# DINOSAUR with the real DINOv2 ViT-S/14 on the synthetic videos (frames resized 64 -> 224),
# 5 slots and tau 0.5 (the log's setting): the DINOv2 side of the mask-stability comparison with
# pixel-slots_synthetic-movi_64.py. Needs facebook/dinov2-small (HF id or local directory).
_base_ = ['./dinosaur_dinov2-vits14_movi-c_224.py']
data_root = 'data/movi_synth'
synth = dict(size=64, num_frames=24, min_objects=2, max_objects=4, metal_prob=0.4)
model = dict(encoder=dict(num_slots=5), decoder=dict(mask_temperature=0.5))
train_dataloader = dict(batch_size=32, num_workers=2, dataset=dict(
    data_root=data_root, generate_if_missing=dict(synth, num_videos=200, seed=0)))
val_dataloader = dict(dataset=dict(
    data_root=data_root, generate_if_missing=dict(synth, num_videos=24, seed=1)))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=3000, val_interval=1000)
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0, end=300),
    dict(type='CosineAnnealingLR', T_max=2700, eta_min=1e-5, by_epoch=False, begin=300,
         end=3000),
]
