"""DepthMetric: DAV2 depth errors per image, then averaged over images.

Two reference protocols, selectable option by option (every config spells its choice out):

* Depth Anything V2 ``metric_depth/train.py`` (the defaults): prediction resized to the
  ground truth bilinearly with ``align_corners=True``, valid ``min_depth <= gt <= max_depth``,
  images with fewer than 10 valid pixels skipped, predictions *not* clamped.
* monodepth2 ``evaluate_depth.py`` (:data:`MONODEPTH2_PROTOCOL`): bilinear resize with
  half-pixel centres (``cv2.resize``, ``align_corners=False``), valid ``min_depth < gt <
  max_depth`` (strict), predictions clamped to ``[min_depth, max_depth]`` after median scaling.
"""
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.evaluator import BaseMetric

from mmext.registry import METRICS
from .depth_errors import crop_mask, depth_errors

KEYS = ('d1', 'd2', 'd3', 'abse', 'abs_rel', 'sq_rel', 'rmse', 'rmse_log', 'log10', 'silog')

#: Depth Anything V2's evaluation (``metric_depth/train.py``), the defaults of DepthMetric.
DAV2_PROTOCOL = dict(clamp_pred=False, resize_align_corners=True, min_valid_pixels=10,
                     exclude_min_depth=False, exclude_max_depth=False)
#: monodepth2's ``evaluate_depth.py`` / ``compute_errors`` (KITTI Eigen, Garg crop, 80 m).
MONODEPTH2_PROTOCOL = dict(clamp_pred=True, resize_align_corners=False, min_valid_pixels=1,
                           exclude_min_depth=True, exclude_max_depth=True)


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
    """Depth Anything V2's nine measures plus ``abse``, per image then averaged over images.

    Each sample (model output) is a dict with ``pred_depth`` and ``gt_depth`` (``(H, W)`` or
    ``(1, H, W)``, metres) and optionally ``food_mask``. The prediction is resized bilinearly
    to the ground-truth size when they differ. Valid pixels: ``min_depth <= gt <= max_depth``
    (each bound strict on request) inside the crop (and the food mask for ``region='food'``).
    The defaults are DAV2's evaluation protocol; :data:`MONODEPTH2_PROTOCOL` lists the options
    of monodepth2's.

    Args:
        min_depth: Smallest valid ground-truth depth (and lower prediction clamp).
        max_depth: Largest valid ground-truth depth (``None``: no limit; upper clamp).
        median_scaling: Multiply each prediction by ``median(gt)/median(pred)`` on its valid
            pixels first (monodepth2 protocol; exposes scale-only gains). The per-image ratios'
            median and std (of ratio / median, monodepth2's "std") are reported as
            ``med_ratio`` / ``std_ratio``. ``'both'``: the unscaled measures under their own
            names and the median-scaled ones as ``ms_<name>`` (plus the ratios) -- how
            metric-scale methods are reported on KITTI.
        clamp_pred: Clamp predictions to ``[min_depth, max_depth]`` (after median scaling), as
            monodepth2. DAV2 does not clamp (default False): with a food ``max_depth`` of 1 m a
            clamp would hide a pretrained model's far-off predictions. Unclamped predictions
            are still floored at 1e-12 so a zero cannot make the logs infinite.
        resize_align_corners: ``align_corners`` of the bilinear resize of the prediction to
            the ground truth (DAV2: True; monodepth2 / cv2: False).
        min_valid_pixels: Images with fewer valid pixels are skipped (DAV2: 10).
        exclude_min_depth: Valid gt ``> min_depth`` instead of ``>=`` (monodepth2).
        exclude_max_depth: Valid gt ``< max_depth`` instead of ``<=`` (monodepth2).
        crop: ``None``, ``'garg'``, ``'eigen'`` (KITTI), ``'nyu_eigen'`` (NYU 480x640) or
            fractions ``(top, bottom, left, right)``.
        region: ``'all'`` valid pixels or only the ``'food'`` mask.
        collect_device: See :class:`mmengine.evaluator.BaseMetric`.
        prefix: Metric name prefix (default ``'depth'``).
    """
    default_prefix = 'depth'

    def __init__(self, min_depth: float = 1e-3, max_depth: Optional[float] = None,
                 median_scaling: Union[bool, str] = False, clamp_pred: bool = False,
                 crop: Union[None, str, Sequence[float]] = None, region: str = 'all',
                 resize_align_corners: bool = True, min_valid_pixels: int = 10,
                 exclude_min_depth: bool = False, exclude_max_depth: bool = False,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if region not in ('all', 'food'):
            raise ValueError(f"DepthMetric region must be 'all' or 'food', got {region!r}")
        if median_scaling not in (True, False, 'both'):
            raise ValueError(f"median_scaling must be True, False or 'both', "
                             f'got {median_scaling!r}')
        from .depth_errors import PIXEL_CROPS
        if not (isinstance(crop, str) and crop in PIXEL_CROPS):
            crop_mask((4, 4), crop)  # validate early
        self.min_depth, self.max_depth = min_depth, max_depth
        self.median_scaling, self.clamp_pred = median_scaling, clamp_pred
        self.crop, self.region = crop, region
        if min_valid_pixels < 1:
            raise ValueError(f'min_valid_pixels must be >= 1, got {min_valid_pixels}')
        self.resize_align_corners = bool(resize_align_corners)
        self.min_valid_pixels = int(min_valid_pixels)
        self.exclude_min_depth, self.exclude_max_depth = exclude_min_depth, exclude_max_depth
        self.num_skipped = 0

    def evaluate_one(self, pred: Any, gt: Any, food_mask: Any = None) -> Optional[Dict]:
        """Errors of one image (``None`` when it has fewer than ``min_valid_pixels`` valid
        pixels)."""
        gt = _hw(gt, 'gt_depth').double()
        pred = _hw(pred, 'pred_depth').double()
        if pred.shape != gt.shape:
            pred = F.interpolate(pred[None, None], gt.shape, mode='bilinear',
                                 align_corners=self.resize_align_corners)[0, 0]
        valid = gt > self.min_depth if self.exclude_min_depth else gt >= self.min_depth
        if self.max_depth is not None:
            valid &= gt < self.max_depth if self.exclude_max_depth else gt <= self.max_depth
        cm = crop_mask(gt.shape, self.crop, gt.device)
        if cm is not None:
            valid &= cm
        if self.region == 'food':
            if food_mask is None:
                raise ValueError("DepthMetric(region='food') needs 'food_mask' in each sample")
            valid &= _hw(food_mask, 'food_mask').bool()
        if int(valid.sum()) < self.min_valid_pixels:
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
            else:
                self.num_skipped += 1

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        """Average every measure over images."""
        if not results:
            raise ValueError(f'DepthMetric: no image had {self.min_valid_pixels} or more valid '
                             'ground-truth pixels')
        keys = list(KEYS) + (['ms_' + k for k in KEYS] if self.median_scaling == 'both' else [])
        out = {k: float(np.mean([r[k] for r in results])) for k in keys}
        if self.median_scaling:
            ratios = np.array([r['ratio'] for r in results])
            out['med_ratio'] = float(np.median(ratios))
            out['std_ratio'] = float(np.std(ratios / np.median(ratios)))
        out['num_images'] = len(results)
        if self.num_skipped:
            from mmengine.logging import print_log
            print_log(f'DepthMetric: skipped {self.num_skipped} image(s) with fewer than '
                      f'{self.min_valid_pixels} valid pixels', logger='current', level=30)
        self.num_skipped = 0
        return out
