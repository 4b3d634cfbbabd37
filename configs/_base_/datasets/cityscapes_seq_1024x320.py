# Cityscapes sequences (leftImg8bit_sequence + camera json, the official layout; FUMET's
# second data set) for self-supervised training at 1024x320: the bottom 25% (ego bonnet)
# and top 12.5% of the 2048x1024 frames are cropped (2048x640, aspect 3.2) and resized.
# Split files list '<split>/<city>/<city>_<seq>_<frame>' targets (frames with both
# neighbours); masks <data_root>/masks/<split>/<city>/<stem>.npz (road_masks.py format).
# No depth GT: validation / testing are left to the KITTI configs.
data_root = 'data/cityscapes'
input_size = (1024, 320)                    # (W, H)
crop = dict(type='CropFrames', top=0.125, bottom=0.25)
frame_ids = (0, -1, 1)
classes = ('car', 'pedestrian', 'cyclist')
train_pipeline = [
    dict(type='LoadKITTIFrames'),
    dict(type='LoadRoadInstanceMasks'),
    crop,
    dict(type='ResizeFrames', scale=input_size),
    dict(type='RandomFlipFrames', prob=0.5),
    dict(type='FrameColorJitter', brightness=0.2, contrast=0.2, saturation=0.2, hue=0.1,
         prob=0.5),
    dict(type='PackSelfSupInputs'),
]
estimate_pipeline = [
    dict(type='LoadKITTIFrames'),
    dict(type='LoadRoadInstanceMasks'),
    crop,
    dict(type='ResizeFrames', scale=input_size),
    dict(type='PackSelfSupInputs'),
]
train_dataset = dict(
    type='CityscapesSequenceDataset', data_root=data_root,
    ann_file='splits/cityscapes/train_files.txt', frame_ids=frame_ids, mask_root='masks',
    metainfo=dict(classes=classes), pipeline=train_pipeline)
train_dataloader = dict(
    batch_size=8, num_workers=8, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True), dataset=train_dataset)
estimate_dataloader = dict(
    batch_size=8, num_workers=8,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(train_dataset, pipeline=estimate_pipeline))
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None
