"""Registered MMEngine metrics for slot models (definitions in :mod:`.functional`).

Every metric reads the prediction dicts returned by the slot models' ``predict``:

* ``pred_masks``: soft slot masks (T, K, H, W) (images: T = 1), at GT resolution;
* ``gt_masks``: GT instance ids (T, H, W), 0 = background;
* ``slots``: slot vectors (T, K, D);
* ``pred_masks_jitter``: masks of the colour-jittered input (only for mask stability).

Predicted labels are the argmax over slots. :class:`ObjectDiscoveryMetric` follows the
OCL framework / VideoSAUR protocol by default (see its docstring); the other metrics average
per-sample scores over the samples where they are defined.
"""
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric

from mmext.registry import METRICS
from ..diagnostics import mask_similarity
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


def _meta(sample: Any, key: str, metric: str) -> Any:
    """A metainfo value of a prediction (dict or data element)."""
    meta = sample.get('metainfo', {}) if isinstance(sample, dict) else {}
    if key in sample:
        return sample[key]
    if key in meta:
        return meta[key]
    raise KeyError(f'{metric}(breakdown_key={key!r}) needs {key!r} in each sample\'s '
                   'metainfo (set MOViDataset(subset_key=...) or remove breakdown_key)')


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


CONVENTIONS = ('reference', 'per_clip')


@METRICS.register_module()
class ObjectDiscoveryMetric(BaseMetric):
    """ARI, FG-ARI, mBO and Hungarian mIoU of slot masks against GT instance masks.

    Protocols (docs/slots.md, "Metrics"):

    * ``convention='reference'`` (default; the OCL framework and VideoSAUR): every scored
      unit -- a frame (``video_level=False``) or a whole clip (``video_level=True``) --
      contributes one value and the result is the mean over all scored units of the
      dataset. A unit without any foreground pixel scores FG-ARI = 1.0 and counts; it is
      skipped for mBO / mIoU (no GT object to match), as in both references.
    * ``convention='per_clip'`` (mmext before 2026-11-30): a unit without foreground has
      FG-ARI = nan and is skipped; frame scores are averaged within each clip first, then
      over clips (clips of different length weigh the same).

    Args:
        video_level: Score a clip as one spatio-temporal partition (slot identities must
            persist over frames; VideoSAUR's video metrics). If False, every frame is scored
            separately (VideoSAUR's ``image_*`` metrics, OCL on image data sets).
        ignore_background: Exclude the GT background mask from mBO / mIoU.
        convention: ``'reference'`` or ``'per_clip'`` (see above).
        breakdown_key: Optional metainfo key of each clip (e.g. ``'material'``, set by
            ``MOViDataset(subset_key=...)``); the metrics are also reported per value of it,
            as ``<name>/<value>`` (e.g. ``FG-ARI/metal``).
        collect_device: See :class:`mmengine.evaluator.BaseMetric`.
        prefix: Metric name prefix (default ``'slots'``).
    """

    names = ('ARI', 'FG-ARI', 'mBO', 'mIoU')
    default_prefix = 'slots'

    def __init__(self, video_level: bool = True, ignore_background: bool = True,
                 convention: str = 'reference', breakdown_key: Optional[str] = None,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if convention not in CONVENTIONS:
            raise ValueError(f'convention must be one of {CONVENTIONS}, got {convention!r}')
        self.video_level = video_level
        self.ignore_background = ignore_background
        self.convention = convention
        self.breakdown_key = breakdown_key

    def _unit_scores(self, gt: np.ndarray, pred: np.ndarray) -> Dict[str, float]:
        empty = 1.0 if self.convention == 'reference' else float('nan')
        return {
            'ARI': F.adjusted_rand_index(gt, pred),
            'FG-ARI': F.fg_adjusted_rand_index(gt, pred, empty=empty),
            'mBO': F.mean_best_overlap(gt, pred, self.ignore_background),
            'mIoU': F.hungarian_miou(gt, pred, self.ignore_background),
        }

    def score(self, sample: Dict[str, Any]) -> Dict[str, List[float]]:
        """Scores of one clip: a list with one value per scored unit for every name."""
        pred = argmax_labels(_field(sample, 'pred_masks', type(self).__name__))
        gt = _field(sample, 'gt_masks', type(self).__name__).astype(np.int64)
        if gt.shape != pred.shape:
            raise ValueError(f'gt_masks {gt.shape} and argmax(pred_masks) {pred.shape} '
                             'differ; predict must return masks at GT resolution')
        units = [self._unit_scores(gt, pred)] if self.video_level else [
            self._unit_scores(g, p) for g, p in zip(gt, pred)]
        return {k: [u[k] for u in units] for k in self.names}

    def process(self, data_batch: Any, data_samples: Sequence[Dict[str, Any]]) -> None:
        for sample in data_samples:
            res = self.score(sample)
            if self.breakdown_key is not None:
                res['_group'] = str(_meta(sample, self.breakdown_key, type(self).__name__))
            self.results.append(res)

    def _aggregate(self, results: List[Dict[str, Any]]) -> Dict[str, float]:
        out = {}
        for name in self.names:
            if self.convention == 'reference':  # mean over all scored units
                vals = np.array([v for r in results for v in r[name]], dtype=np.float64)
            else:  # per-clip nan-mean first, then mean over clips
                vals = np.array([np.nanmean(r[name]) if not np.all(np.isnan(r[name]))
                                 else np.nan for r in results], dtype=np.float64)
            vals = vals[~np.isnan(vals)]
            out[name] = float(vals.mean()) if vals.size else float('nan')
        return out

    def compute_metrics(self, results: List[Dict[str, Any]]) -> Dict[str, float]:
        out = self._aggregate(results)
        if self.breakdown_key is not None:
            for group in sorted({r['_group'] for r in results}):
                sub = self._aggregate([r for r in results if r['_group'] == group])
                out.update({f'{k}/{group}': v for k, v in sub.items()})
        return out


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
class MaskSimilarityMetric(_MeanOverSamples):
    """Log 004's collapse measure on masks: mean cosine similarity between the soft masks of
    two different slots of a frame (:func:`mmext.slots.diagnostics.mask_similarity`), per
    frame, averaged over frames then clips. 1 = all slots alike (collapse), 0 = disjoint."""

    names = ('mask_similarity', )
    default_prefix = 'slots'

    def score(self, sample: Dict[str, Any]) -> Dict[str, float]:
        masks = torch.as_tensor(_field(sample, 'pred_masks', 'MaskSimilarityMetric'))
        if masks.dim() != 4:
            raise ValueError(f'pred_masks must be (T, K, H, W), got {tuple(masks.shape)}')
        return {'mask_similarity': float(mask_similarity(masks.float().flatten(2)))}


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
