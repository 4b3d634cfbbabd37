# KITTI raw in monodepth2's layout: training on the Eigen-Zhou split (frames 0, -1, +1;
# precomputed road/instance masks for the metric terms), validation on its val split
# (held-out frames of the training drives), testing on the 697 Eigen test frames with
# velodyne GT exported by tools/dataset_converters/kitti_export_gt_depth.py
# (splits/eigen/gt_depths.npz). Images are the raw PNGs (img_ext='.jpg' for monodepth2's
# jpeg copies). Masks: <data_root>/masks/... .npz, format in mmext/selfsup/datasets/road_masks.py.
data_root = 'data/kitti_raw'
input_size = (640, 192)                    # (W, H)
frame_ids = (0, -1, 1)
classes = ('car', 'pedestrian', 'cyclist')

train_pipeline = [
    dict(type='LoadKITTIFrames'),
    dict(type='LoadRoadInstanceMasks'),
    dict(type='ResizeFrames', scale=input_size),
    dict(type='RandomFlipFrames', prob=0.5),
    dict(type='FrameColorJitter', brightness=0.2, contrast=0.2, saturation=0.2, hue=0.1,
         prob=0.5),
    dict(type='PackSelfSupInputs'),
]
# no augmentation: what CameraHeightHook looks at after each epoch
estimate_pipeline = [
    dict(type='LoadKITTIFrames'),
    dict(type='LoadRoadInstanceMasks'),
    dict(type='ResizeFrames', scale=input_size),
    dict(type='PackSelfSupInputs'),
]
test_pipeline = [
    dict(type='LoadKITTIFrames'),
    dict(type='LoadKITTIDepthGT'),
    dict(type='ResizeFrames', scale=input_size),
    dict(type='PackSelfSupInputs'),
]
train_dataset = dict(
    type='KITTIRawDataset', data_root=data_root,
    ann_file='splits/eigen_zhou/train_files.txt', frame_ids=frame_ids, mask_root='masks',
    metainfo=dict(classes=classes), pipeline=train_pipeline)
train_dataloader = dict(
    batch_size=12, num_workers=8, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True), dataset=train_dataset)
estimate_dataloader = dict(
    batch_size=12, num_workers=8,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(train_dataset, pipeline=estimate_pipeline))
# validation after each epoch on held-out frames of the training drives (Eigen-Zhou val,
# velodyne GT projected on the fly as the Eigen test GT is exported); the Eigen test split
# is kept for tools/test.py
val_dataloader = dict(
    batch_size=1, num_workers=4, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='KITTIRawDataset', data_root=data_root,
                 ann_file='splits/eigen_zhou/val_files.txt', frame_ids=(0,),
                 gt_depth='velodyne', metainfo=dict(classes=classes),
                 pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=1, num_workers=4, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='KITTIRawDataset', data_root=data_root,
                 ann_file='splits/eigen/test_files.txt', frame_ids=(0,), gt_depth='npz',
                 metainfo=dict(classes=classes), pipeline=test_pipeline))
# monodepth2's protocol: Garg crop, 1e-3 < gt < 80 m, predictions clamped to [1e-3, 80],
# bilinear (half-pixel) resize; reported unscaled and median-scaled. Spelled out: DepthMetric's
# defaults are DAV2's protocol.
val_evaluator = dict(type='DepthMetric', min_depth=1e-3, max_depth=80.0, crop='garg',
                     median_scaling='both', clamp_pred=True, resize_align_corners=False,
                     min_valid_pixels=1, exclude_min_depth=True, exclude_max_depth=True)
test_evaluator = val_evaluator
