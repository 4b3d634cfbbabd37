# Synthetic MOVi-like videos (mmext/synthetic/movi.py): 64 px, 24 frames, 2-4 moving shapes,
# 40% metal (specular highlight). Written on first use into data_root (generate_if_missing),
# or beforehand with tools/dataset_converters/movi_synthetic.py. CPU-sized loaders.
data_root = 'data/movi_synth'
img_size = 64
synth = dict(size=64, num_frames=24, min_objects=2, max_objects=4, metal_prob=0.4)
train_pipeline = [
    dict(type='LoadMOViClip'),
    dict(type='ResizeClip', scale=img_size),
    dict(type='PackSlotInputs'),
]
test_pipeline = train_pipeline
train_dataloader = dict(
    batch_size=16, num_workers=1, persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='MOViDataset', data_root=data_root, split='train', num_frames=1,
                 clip_mode='random', pipeline=train_pipeline,
                 generate_if_missing=dict(synth, num_videos=200, seed=0)))
val_dataloader = dict(
    batch_size=4, num_workers=1, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='MOViDataset', data_root=data_root, split='validation',
                 num_frames=24, clip_mode='first', pipeline=test_pipeline,
                 generate_if_missing=dict(synth, num_videos=24, seed=1)))
test_dataloader = val_dataloader
