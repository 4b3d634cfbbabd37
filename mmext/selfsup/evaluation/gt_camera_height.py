"""Camera height from *measured* depth (velodyne / depth-benchmark GT) and road masks: a
check of the road masks, the calibration and the camera-height estimators on real data,
independent of any model (KITTI: 1.65 m)."""
import math
from typing import Dict, List, Optional

import numpy as np
import torch
from mmengine.dataset import Compose

from mmext.geometry import camera_heights


def gt_camera_heights(dataset, estimator: str = 'plane', threshold: float = 0.05,
                      max_frames: Optional[int] = None, min_pixels: int = 20) -> List[Dict]:
    """Per-frame camera height of the GT depth on the road mask, at the original size.

    Args:
        dataset: A :class:`KITTIRawDataset` configured with ``mask_root`` and ``gt_depth``.
        estimator: ``'plane'`` (RANSAC + PCA; for sparse velodyne GT) or ``'normals'``
            (FUMET's neighbour normals; needs dense GT).
        threshold: Plane inlier distance (m).
        max_frames: Only the first frames of the split.
        min_pixels: Fewer usable road pixels give NaN.

    Returns:
        One dict per frame: ``split_line``, ``height`` (m, NaN when unusable),
        ``road_points`` (road pixels with a measured depth).
    """
    load = Compose([dict(type='LoadRoadInstanceMasks'), dict(type='LoadKITTIDepthGT')])
    n = len(dataset) if max_frames is None else min(max_frames, len(dataset))
    out = []
    for i in range(n):
        info = load(dict(dataset.get_data_info(i)))
        depth = torch.from_numpy(np.asarray(info['gt_depth'], np.float64))
        road = torch.from_numpy(np.asarray(info['road_mask'], bool))
        if road.shape != depth.shape:
            raise ValueError(f"{info['split_line']}: road mask {tuple(road.shape)} and GT depth "
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
