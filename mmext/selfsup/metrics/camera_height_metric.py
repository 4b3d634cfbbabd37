"""CameraHeightMetric: the camera height implied by predicted depth on road pixels."""
import math
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric

from mmext.geometry import camera_heights
from mmext.registry import METRICS


@METRICS.register_module()
class CameraHeightMetric(BaseMetric):
    """Per-frame camera height of the predicted depth, against a known mounting height.

    For each frame the road plane of the predicted depth (``pred_disp`` at the network
    size, with the sample's ``K`` and ``road_mask``) gives ``h = median(-n.X)`` over road
    pixels (FUMET's estimator, :func:`mmext.geometry.road_heights`). A metric-scale model
    must give the true height (KITTI: 1.65 m) without any scaling.

    Reported: ``median`` and ``mean`` of the per-frame heights, ``abs_err`` / ``rel_err`` of
    the median against ``reference_height``, ``frame_abs_err`` (mean per-frame absolute
    error), ``frame_rel_err`` and ``num_frames`` (frames with enough road pixels).

    Args:
        reference_height: The true camera height (m); without it only the statistics of the
            estimates are reported.
        min_pixels: Road pixels needed for a frame to count.
        estimator: ``'fumet'`` (FUMET's 8-neighbour normals, interpolated median; what the
            FUMET configs train with), ``'normals'`` (right x down normals, median) or
            ``'plane'`` (RANSAC + PCA plane, :func:`mmext.geometry.road_plane_heights`).
        plane_threshold: Inlier distance (m) of the ``'plane'`` estimator.
        collect_device: See :class:`mmengine.evaluator.BaseMetric`.
        prefix: Metric name prefix (default ``'camera_height'``).
    """
    default_prefix = 'camera_height'

    def __init__(self, reference_height: Optional[float] = None, min_pixels: int = 20,
                 estimator: str = 'normals', plane_threshold: float = 0.05,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if estimator not in ('fumet', 'normals', 'plane'):
            raise ValueError(f"estimator must be 'fumet', 'normals' or 'plane', got "
                             f'{estimator!r}')
        self.reference_height, self.min_pixels = reference_height, min_pixels
        self.estimator, self.plane_threshold = estimator, plane_threshold

    def process(self, data_batch: Any, data_samples: Sequence[Dict]) -> None:
        """Camera height of every frame of the batch (NaN without enough road)."""
        for s in data_samples:
            missing = [k for k in ('pred_disp', 'K', 'road_mask') if k not in s]
            if missing:
                raise KeyError(f'CameraHeightMetric needs {missing} in each sample: load '
                               'road masks in the test pipeline (LoadRoadInstanceMasks)')
            disp = torch.as_tensor(s['pred_disp']).double()
            depth = 1.0 / disp.clamp_min(1e-12)
            road = torch.as_tensor(s['road_mask']).bool()
            if road.shape != depth.shape:
                raise ValueError(f'road_mask {tuple(road.shape)} and pred_disp '
                                 f'{tuple(depth.shape)} differ in size')
            h = camera_heights(depth[None, None], torch.as_tensor(s['K']).double()[None],
                               road[None], self.estimator, self.min_pixels,
                               self.plane_threshold)
            self.results.append(float(h[0]))

    def compute_metrics(self, results: List[float]) -> Dict[str, float]:
        """Statistics of the per-frame heights (and errors against the reference)."""
        h = np.array([r for r in results if math.isfinite(r)])
        if h.size == 0:
            raise ValueError('CameraHeightMetric: no frame had enough road pixels')
        out = dict(median=float(np.median(h)), mean=float(h.mean()), num_frames=int(h.size))
        ref = self.reference_height
        if ref is not None:
            out.update(abs_err=abs(out['median'] - ref), rel_err=abs(out['median'] - ref) / ref,
                       frame_abs_err=float(np.abs(h - ref).mean()),
                       frame_rel_err=float(np.abs(h - ref).mean() / ref))
        return out
