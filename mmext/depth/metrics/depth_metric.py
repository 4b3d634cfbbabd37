"""DepthMetric: DAV2 depth errors per image, then averaged over images."""
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.evaluator import BaseMetric

from mmext.registry import METRICS
from .depth_errors import crop_mask, depth_errors

KEYS = ('d1', 'd2', 'd3', 'abs_rel', 'sq_rel', 'rmse', 'rmse_log', 'log10', 'silog')


def _hw(x: Any, name: str) -> torch.Tensor:
    x = torch.as_tensor(x)
    while x.dim() > 2 and x.shape[0] == 1:
        x = x[0]
    if x.dim() != 2:
        raise ValueError(f'{name} must be (H, W) or (1, H, W), got {tuple(x.shape)}')
    return x


def _median(x: torch.Tensor) -> torch.Tensor:
    """numpy's median (mean of the two middle values; torch.median takes the lower one)."""
    return torch.quantile(x, 0.5) if x.numel() <= 16_000_000 else x.median()


@METRICS.register_module()
class DepthMetric(BaseMetric):
    """Depth Anything V2's nine measures, per image then averaged over images.

    Each sample (model output) is a dict with ``pred_depth`` and ``gt_depth`` (``(H, W)`` or
    ``(1, H, W)``, metres) and optionally ``food_mask``. The prediction is resized bilinearly
    to the ground-truth size when they differ (DAV2). Valid pixels: ``min_depth <= gt <=
    max_depth`` inside the crop (and the food mask for ``region='food'``).

    Args:
        min_depth: Smallest valid ground-truth depth (and prediction clamp).
        max_depth: Largest valid ground-truth depth (``None``: no limit).
        median_scaling: Multiply each prediction by ``median(gt)/median(pred)`` on its valid
            pixels first (monodepth2 protocol; exposes scale-only gains). The per-image ratios'
            median and std (of ratio / median, monodepth2's "std") are reported as
            ``med_ratio`` / ``std_ratio``. ``'both'``: the unscaled measures under their own
            names and the median-scaled ones as ``ms_<name>`` (plus the ratios) -- how
            metric-scale methods are reported on KITTI.
        clamp_pred: Clamp predictions to ``[min_depth, max_depth]`` (after median scaling).
        crop: ``None``, ``'garg'``, ``'eigen'`` or fractions ``(top, bottom, left, right)``.
        region: ``'all'`` valid pixels or only the ``'food'`` mask.
        collect_device: See :class:`mmengine.evaluator.BaseMetric`.
        prefix: Metric name prefix (default ``'depth'``).
    """
    default_prefix = 'depth'

    def __init__(self, min_depth: float = 1e-3, max_depth: Optional[float] = None,
                 median_scaling: Union[bool, str] = False, clamp_pred: bool = True,
                 crop: Union[None, str, Sequence[float]] = None, region: str = 'all',
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if region not in ('all', 'food'):
            raise ValueError(f"DepthMetric region must be 'all' or 'food', got {region!r}")
        if median_scaling not in (True, False, 'both'):
            raise ValueError(f"median_scaling must be True, False or 'both', "
                             f'got {median_scaling!r}')
        crop_mask((4, 4), crop)  # validate early
        self.min_depth, self.max_depth = min_depth, max_depth
        self.median_scaling, self.clamp_pred = median_scaling, clamp_pred
        self.crop, self.region = crop, region

    def evaluate_one(self, pred: Any, gt: Any, food_mask: Any = None) -> Optional[Dict]:
        """Errors of one image (``None`` when it has no valid pixel)."""
        gt = _hw(gt, 'gt_depth').double()
        pred = _hw(pred, 'pred_depth').double()
        if pred.shape != gt.shape:
            pred = F.interpolate(pred[None, None], gt.shape, mode='bilinear',
                                 align_corners=False)[0, 0]
        valid = gt >= self.min_depth
        if self.max_depth is not None:
            valid &= gt <= self.max_depth
        cm = crop_mask(gt.shape, self.crop, gt.device)
        if cm is not None:
            valid &= cm
        if self.region == 'food':
            if food_mask is None:
                raise ValueError("DepthMetric(region='food') needs 'food_mask' in each sample")
            valid &= _hw(food_mask, 'food_mask').bool()
        if not valid.any():
            return None
        p, g = pred[valid], gt[valid]
        out = {}
        if self.median_scaling:
            ratio = (_median(g) / _median(p).clamp_min(1e-12)).item()
            out['ratio'] = ratio
        if self.median_scaling == 'both':
            out.update(self._errors(p, g))
            out.update({f'ms_{k}': v for k, v in self._errors(p * ratio, g).items()})
        else:
            out.update(self._errors(p * ratio if self.median_scaling else p, g))
        return out

    def _errors(self, p, g) -> Dict[str, float]:
        if self.clamp_pred:
            p = p.clamp(min=self.min_depth, max=self.max_depth)
        else:
            p = p.clamp_min(1e-12)
        return depth_errors(p, g)

    def process(self, data_batch: Any, data_samples: Sequence[Dict]) -> None:
        """Collect the per-image errors of a batch."""
        for s in data_samples:
            if 'pred_depth' not in s or 'gt_depth' not in s:
                raise KeyError(f"DepthMetric needs 'pred_depth' and 'gt_depth', got {sorted(s)}")
            r = self.evaluate_one(s['pred_depth'], s['gt_depth'], s.get('food_mask'))
            if r is not None:
                self.results.append(r)

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        """Average every measure over images."""
        if not results:
            raise ValueError('DepthMetric: no image had a valid ground-truth pixel')
        keys = list(KEYS) + (['ms_' + k for k in KEYS] if self.median_scaling == 'both' else [])
        out = {k: float(np.mean([r[k] for r in results])) for k in keys}
        if self.median_scaling:
            ratios = np.array([r['ratio'] for r in results])
            out['med_ratio'] = float(np.median(ratios))
            out['std_ratio'] = float(np.std(ratios / np.median(ratios)))
        out['num_images'] = len(results)
        return out
