"""Registered MMEngine metrics for slot models (definitions in :mod:`.functional`).

Every metric reads the prediction dicts returned by the slot models' ``predict``:

* ``pred_masks``: soft slot masks (T, K, H, W) (images: T = 1), at GT resolution;
* ``gt_masks``: GT instance ids (T, H, W), 0 = background;
* ``slots``: slot vectors (T, K, D);
* ``pred_masks_jitter``: masks of the colour-jittered input (only for mask stability).

Predicted labels are the argmax over slots. Per-sample scores are averaged over the
samples where they are defined (a sample without foreground has no FG-ARI).
"""
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric

from mmext.registry import METRICS
from . import functional as F


def _np(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def _field(sample: Dict[str, Any], key: str, metric: str) -> np.ndarray:
    if key not in sample:
        raise KeyError(f'{metric} needs the prediction field {key!r}; the model returned '
                       f'{sorted(sample)}')
    return _np(sample[key])


def argmax_labels(pred_masks: np.ndarray) -> np.ndarray:
    """Slot labels (T, H, W) from soft masks (T, K, H, W)."""
    if pred_masks.ndim != 4:
        raise ValueError(f'pred_masks must be (T, K, H, W), got {pred_masks.shape}')
    return pred_masks.argmax(axis=1).astype(np.int64)


class _MeanOverSamples(BaseMetric):
    """Average of per-sample scores (nan = undefined for that sample, skipped)."""

    names: Sequence[str] = ()

    def score(self, sample: Dict[str, Any]) -> Dict[str, float]:
        raise NotImplementedError

    def process(self, data_batch: Any, data_samples: Sequence[Dict[str, Any]]) -> None:
        for sample in data_samples:
            self.results.append(self.score(sample))

    def compute_metrics(self, results: List[Dict[str, float]]) -> Dict[str, float]:
        out = {}
        for name in self.names:
            vals = np.array([r[name] for r in results], dtype=np.float64)
            vals = vals[~np.isnan(vals)]
            out[name] = float(vals.mean()) if vals.size else float('nan')
        return out


@METRICS.register_module()
class ObjectDiscoveryMetric(_MeanOverSamples):
    """ARI, FG-ARI, mBO and Hungarian mIoU of slot masks against GT instance masks.

    Args:
        video_level: Score a video as one spatio-temporal partition (slot identities must
            persist over frames; the VideoSAUR convention). If False, every frame is scored
            separately and the frame scores averaged within the sample.
        ignore_background: Exclude the GT background mask from mBO / mIoU.
        collect_device: See :class:`mmengine.evaluator.BaseMetric`.
        prefix: Metric name prefix (default ``'slots'``).
    """

    names = ('ARI', 'FG-ARI', 'mBO', 'mIoU')
    default_prefix = 'slots'

    def __init__(self, video_level: bool = True, ignore_background: bool = True,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.video_level = video_level
        self.ignore_background = ignore_background

    def _frame_scores(self, gt: np.ndarray, pred: np.ndarray) -> Dict[str, float]:
        return {
            'ARI': F.adjusted_rand_index(gt, pred),
            'FG-ARI': F.fg_adjusted_rand_index(gt, pred),
            'mBO': F.mean_best_overlap(gt, pred, self.ignore_background),
            'mIoU': F.hungarian_miou(gt, pred, self.ignore_background),
        }

    def score(self, sample: Dict[str, Any]) -> Dict[str, float]:
        pred = argmax_labels(_field(sample, 'pred_masks', type(self).__name__))
        gt = _field(sample, 'gt_masks', type(self).__name__).astype(np.int64)
        if gt.shape != pred.shape:
            raise ValueError(f'gt_masks {gt.shape} and argmax(pred_masks) {pred.shape} '
                             'differ; predict must return masks at GT resolution')
        if self.video_level:
            return self._frame_scores(gt, pred)
        frames = [self._frame_scores(g, p) for g, p in zip(gt, pred)]
        return {k: float(np.nanmean([f[k] for f in frames]))
                if not all(np.isnan(f[k]) for f in frames) else float('nan')
                for k in self.names}


@METRICS.register_module()
class MaskStabilityMetric(_MeanOverSamples):
    """Mask stability under a fixed colour jitter (per frame, averaged).

    The model must be run with its ``stability_jitter`` test option so that it returns
    ``pred_masks_jitter`` (the masks of the same frames after the jitter, same slot
    initialisation noise). Score: :func:`.functional.mask_stability` of the two argmax
    label maps; 1 = the partition did not change.
    """

    names = ('mask_stability', )
    default_prefix = 'slots'

    def score(self, sample: Dict[str, Any]) -> Dict[str, float]:
        a = argmax_labels(_field(sample, 'pred_masks', 'MaskStabilityMetric'))
        b = argmax_labels(_field(sample, 'pred_masks_jitter', 'MaskStabilityMetric'))
        return {'mask_stability': float(np.mean([F.mask_stability(x, y)
                                                 for x, y in zip(a, b)]))}


@METRICS.register_module()
class SlotDiversityMetric(_MeanOverSamples):
    """Slot diversity: mean pairwise cosine similarity of the slot vectors (lower = more
    diverse), per frame, averaged."""

    names = ('slot_similarity', )
    default_prefix = 'slots'

    def score(self, sample: Dict[str, Any]) -> Dict[str, float]:
        slots = _field(sample, 'slots', 'SlotDiversityMetric')
        if slots.ndim != 3:
            raise ValueError(f'slots must be (T, K, D), got {slots.shape}')
        return {'slot_similarity': float(np.mean([F.slot_diversity(s) for s in slots]))}


@METRICS.register_module()
class TemporalConsistencyMetric(_MeanOverSamples):
    """Temporal consistency of slot identities in videos (see
    :func:`.functional.temporal_consistency`); nan for single frames."""

    names = ('temporal_consistency', )
    default_prefix = 'slots'

    def score(self, sample: Dict[str, Any]) -> Dict[str, float]:
        pred = argmax_labels(_field(sample, 'pred_masks', 'TemporalConsistencyMetric'))
        gt = _field(sample, 'gt_masks', 'TemporalConsistencyMetric').astype(np.int64)
        return {'temporal_consistency': F.temporal_consistency(gt, pred)}
