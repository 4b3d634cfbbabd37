# MOVi-C exported with tools/dataset_converters/movi_tfds_to_npy.py (128 px, 24 frames),
# upscaled 128 -> 224 px for a /14 ViT (16 x 16 patches) as the OCL framework and VideoSAUR
# do: bicubic on float frames, clamped to the valid range (no rounding to uint8). GT masks
# stay at 128 px (OCL's DINOSAUR protocol): predictions are bilinearly upsampled to them.
data_root = 'data/movi_c'
img_size = 224
train_frames = 1           # image models train on single frames; the video config overrides
train_pipeline = [
    dict(type='LoadMOViClip'),
    dict(type='ResizeClip', scale=img_size, interpolation='bicubic', clamp=True),
    dict(type='PackSlotInputs'),
]
test_pipeline = train_pipeline
train_dataloader = dict(
    batch_size=64, num_workers=8, persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='MOViDataset', data_root=data_root, split='train',
                 num_frames=train_frames, clip_mode='random', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4, num_workers=4, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='MOViDataset', data_root=data_root, split='validation',
                 num_frames=24, clip_mode='first', pipeline=test_pipeline))
test_dataloader = val_dataloader
