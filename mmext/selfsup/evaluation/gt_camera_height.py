"""Camera height from *measured* depth (velodyne / depth-benchmark GT) and road masks: a
check of the road masks, the calibration and the camera-height estimators on real data,
independent of any model (KITTI: 1.65 m).

The height needs depth along the camera's z axis. monodepth2's ``gt_depths.npz`` (and
mmext's export with its defaults) holds the velodyne *x* of each point instead, about
0.27 m more than camera z on KITTI: back-projected as z it puts the road ~5% too far
below the camera (1.727 m for a 1.65 m camera). So the heights are computed from the
velodyne scans projected as camera z at their true pixels (``depth_source='velodyne'``,
the default), or from the dataset's GT only when it is known to be camera z.
"""
import math
from typing import Dict, List, Optional

import numpy as np
import torch
from mmengine.dataset import Compose

from mmext.geometry import camera_heights
from ..datasets.kitti_gt import gt_depth_kind
from ..datasets.kitti_io import calib_dir_of, velodyne_path, velodyne_to_depth

_SOURCES = ('velodyne', 'dataset')


def _check_dataset_gt(info: Dict) -> None:
    """Raise unless the sample's GT depth is camera z (npz files record what they hold)."""
    path = info.get('gt_depth_path')
    if path is None:
        raise ValueError(f"{info['split_line']}: depth_source='dataset' needs gt_depth on the "
                         'dataset')
    if info.get('gt_index') is None:          # depth-benchmark png: camera z
        return
    kind = gt_depth_kind(path)
    if kind is None or kind['depth_from'] != 'cam_z':
        what = 'velodyne-x depth' if kind else 'no depth_from record (monodepth2 files hold ' \
            'velodyne-x depth)'
        raise ValueError(
            f'{path}: {what}; camera heights need camera-z depth (velodyne x reads ~5% high). '
            "Use depth_source='velodyne' (--depth-source velodyne) or export with "
            'tools/dataset_converters/kitti_export_gt_depth.py --depth-from cam_z '
            '--pixel-offset 0')


def gt_camera_heights(dataset, estimator: str = 'plane', threshold: float = 0.05,
                      max_frames: Optional[int] = None, min_pixels: int = 20,
                      depth_source: str = 'velodyne') -> List[Dict]:
    """Per-frame camera height of the measured depth on the road mask, at the original size.

    Args:
        dataset: A :class:`KITTIRawDataset` configured with ``mask_root`` (and ``gt_depth``
            for ``depth_source='dataset'``).
        estimator: ``'plane'`` (RANSAC + PCA; for sparse velodyne depth) or ``'normals'``
            (FUMET's neighbour normals; needs dense depth: a warning says when the depth is
            too sparse for it).
        threshold: Plane inlier distance (m).
        max_frames: Only the first frames of the split.
        min_pixels: Fewer usable road pixels give NaN.
        depth_source: ``'velodyne'`` (each frame's scan projected as camera z at its true
            pixel, ``pixel_offset=0``) or ``'dataset'`` (the dataset's GT; a
            ``gt_depths.npz`` must record camera-z depth, a ValueError otherwise).

    Returns:
        One dict per frame: ``split_line``, ``height`` (m, NaN when unusable),
        ``road_points`` (road pixels with a measured depth).
    """
    if depth_source not in _SOURCES:
        raise ValueError(f'depth_source must be one of {_SOURCES}, got {depth_source!r}')
    steps = [dict(type='LoadRoadInstanceMasks')]
    if depth_source == 'dataset':
        steps.append(dict(type='LoadKITTIDepthGT'))
    load = Compose(steps)
    n = len(dataset) if max_frames is None else min(max_frames, len(dataset))
    out = []
    for i in range(n):
        info = dict(dataset.get_data_info(i))
        if depth_source == 'dataset':
            _check_dataset_gt(info)
        info = load(info)
        if depth_source == 'velodyne':
            H, W = info['ori_shape']
            try:
                gt = velodyne_to_depth(calib_dir_of(dataset.data_root, info['folder']),
                                       velodyne_path(dataset.data_root, info['folder'],
                                                     info['frame_index']),
                                       info['side'], image_size=(W, H), pixel_offset=0,
                                       depth_from='cam_z')
            except (FileNotFoundError, ValueError) as err:
                raise type(err)(f"{err} (needed by {info['split_line']})") from None
        else:
            gt = info['gt_depth']
        depth = torch.from_numpy(np.asarray(gt, np.float64))
        road = torch.from_numpy(np.asarray(info['road_mask'], bool))
        if road.shape != depth.shape:
            raise ValueError(f"{info['split_line']}: road mask {tuple(road.shape)} and depth "
                             f'{tuple(depth.shape)} differ in size')
        K = torch.as_tensor(info['K'], dtype=torch.float64)[None]
        h = camera_heights(depth[None], K, road[None], estimator, min_pixels, threshold,
                           seed=i)
        usable = road & (depth > 0)
        out.append(dict(split_line=info['split_line'], height=float(h[0]),
                        road_points=int(usable.sum())))
    return out


def summarize_heights(records: List[Dict], reference: Optional[float] = None) -> Dict:
    """Median / MAD / count of the finite heights (and the error against ``reference``)."""
    h = np.array([r['height'] for r in records if math.isfinite(r['height'])])
    if h.size == 0:
        return dict(frames=len(records), usable=0)
    med = float(np.median(h))
    s = dict(frames=len(records), usable=int(h.size), median=med,
             mad=float(np.median(np.abs(h - med))), mean=float(h.mean()))
    if reference is not None:
        s.update(abs_err=abs(med - reference), rel_err=abs(med - reference) / reference)
    return s
