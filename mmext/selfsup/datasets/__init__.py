"""KITTI raw data for self-supervised road depth: layout readers, GT export, dataset and
frame-tuple transforms."""
from .cityscapes import CityscapesSequenceDataset, read_cityscapes_camera
from .kitti_gt import export_gt_depths, load_gt_depths
from .kitti_io import (SplitLine, cam_index, load_kitti_intrinsics, load_velo_to_cam,
                       load_velodyne_points, read_calib_file, read_split_file, velodyne_to_depth)
from .kitti_raw_dataset import KITTIRawDataset
from .object_crops import ObjectCropDataset, instance_crop, pack_crop
from .road_masks import (load_road_instance_masks, mask_path, replace_road_instance_masks,
                         resolve_mask_job, save_road_instance_masks)
from .transforms import (CropFrames, FrameColorJitter, LoadKITTIDepthGT, LoadKITTIFrames,
                         LoadRoadInstanceMasks, PackSelfSupInputs, RandomFlipFrames, ResizeFrames,
                         read_depth_png)

__all__ = ['CityscapesSequenceDataset', 'read_cityscapes_camera', 'CropFrames',
           'export_gt_depths', 'load_gt_depths', 'SplitLine', 'cam_index',
           'load_kitti_intrinsics', 'load_velo_to_cam', 'load_velodyne_points',
           'read_calib_file', 'read_split_file', 'velodyne_to_depth', 'KITTIRawDataset',
           'ObjectCropDataset', 'instance_crop', 'pack_crop',
           'load_road_instance_masks', 'mask_path', 'save_road_instance_masks',
           'replace_road_instance_masks', 'resolve_mask_job',
           'FrameColorJitter', 'LoadKITTIDepthGT', 'LoadKITTIFrames', 'LoadRoadInstanceMasks',
           'PackSelfSupInputs', 'RandomFlipFrames', 'ResizeFrames', 'read_depth_png']
