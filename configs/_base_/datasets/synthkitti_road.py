# Synthetic KITTI-raw twin (mmext.synthetic.kitti_road): a camera 1.65 m above a textured
# road, driving 1 m/frame past static cars (~1.5 m) and pedestrians (~1.7 m); written on
# first use under data/synthkitti in the real KITTI raw layout (calib, image_02, velodyne,
# proj_depth GT, masks/*.npz, monodepth2 split files, gt_depths.npz). The last drive is the
# held-out test drive. CPU-sized input.
data_root = 'data/synthkitti'
input_size = (256, 96)                     # (W, H)
frame_ids = (0, -1, 1)
classes = ('car', 'pedestrian', 'cyclist')
synth = dict(num_drives=4, frames_per_drive=40, image_size=(416, 128), seed=0)

train_pipeline = [
    dict(type='LoadKITTIFrames'),
    dict(type='LoadRoadInstanceMasks'),
    dict(type='ResizeFrames', scale=input_size),
    dict(type='RandomFlipFrames', prob=0.5),
    dict(type='FrameColorJitter', brightness=0.2, contrast=0.2, saturation=0.2, hue=0.1,
         prob=0.5),
    dict(type='PackSelfSupInputs'),
]
estimate_pipeline = [
    dict(type='LoadKITTIFrames'),
    dict(type='LoadRoadInstanceMasks'),
    dict(type='ResizeFrames', scale=input_size),
    dict(type='PackSelfSupInputs'),
]
# masks at test time only for the camera-height metric
test_pipeline = [
    dict(type='LoadKITTIFrames'),
    dict(type='LoadRoadInstanceMasks'),
    dict(type='LoadKITTIDepthGT'),
    dict(type='ResizeFrames', scale=input_size),
    dict(type='PackSelfSupInputs'),
]
train_dataset = dict(
    type='KITTIRawDataset', data_root=data_root,
    ann_file='splits/synthetic/train_files.txt', frame_ids=frame_ids, mask_root='masks',
    metainfo=dict(classes=classes), generate_if_missing=synth, pipeline=train_pipeline)
train_dataloader = dict(
    batch_size=8, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True), dataset=train_dataset)
estimate_dataloader = dict(
    batch_size=8, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(train_dataset, pipeline=estimate_pipeline))
# validation on the held-out frames of the training drives (the twin's val split; its
# velodyne scans projected as the test GT is: camera z at the true pixels); the last
# drive (test split) is kept for tools/test.py
val_dataloader = dict(
    batch_size=4, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='KITTIRawDataset', data_root=data_root,
                 ann_file='splits/synthetic/val_files.txt', frame_ids=(0,),
                 gt_depth='velodyne', gt_velodyne=dict(pixel_offset=0, depth_from='cam_z'),
                 mask_root='masks', metainfo=dict(classes=classes),
                 generate_if_missing=synth, pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=4, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='KITTIRawDataset', data_root=data_root,
                 ann_file='splits/synthetic/test_files.txt', frame_ids=(0,), gt_depth='npz',
                 mask_root='masks', metainfo=dict(classes=classes),
                 generate_if_missing=synth, pipeline=test_pipeline))
val_evaluator = [
    # monodepth2's protocol, spelled out (DepthMetric's defaults are DAV2's).
    dict(type='DepthMetric', min_depth=1e-3, max_depth=80.0, crop='garg',
         median_scaling='both', clamp_pred=True, resize_align_corners=False,
         min_valid_pixels=1, exclude_min_depth=True, exclude_max_depth=True),
    dict(type='CameraHeightMetric', reference_height=1.65),
]
test_evaluator = val_evaluator
