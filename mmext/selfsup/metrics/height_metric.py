"""ObjectHeightMetric: errors of predicted per-instance heights."""
from typing import Any, Dict, List, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from mmext.registry import METRICS


@METRICS.register_module()
class ObjectHeightMetric(BaseMetric):
    """Mean absolute error (m) and mean relative error of ``pred_height`` against
    ``gt_height``, with the same errors of the class-mean baseline (the mean of the
    evaluated ground-truth heights per class) for comparison: log 002's test of whether a
    height estimator beats fixed class heights.

    Reported: ``mae``, ``rel_err``, ``class_mean_mae``, ``class_mean_rel_err``, ``num``.
    """
    default_prefix = 'height'

    def process(self, data_batch: Any, data_samples: Sequence) -> None:
        for s in data_samples:
            get = s.get if isinstance(s, dict) else (lambda k, s=s: getattr(s, k))
            self.results.append(dict(pred=float(get('pred_height')),
                                     gt=float(get('gt_height')), label=int(get('label'))))

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        pred = np.array([r['pred'] for r in results])
        gt = np.array([r['gt'] for r in results])
        lab = np.array([r['label'] for r in results])
        base = np.array([gt[lab == c].mean() for c in lab])
        return dict(mae=float(np.abs(pred - gt).mean()),
                    rel_err=float((np.abs(pred - gt) / gt).mean()),
                    class_mean_mae=float(np.abs(base - gt).mean()),
                    class_mean_rel_err=float((np.abs(base - gt) / gt).mean()),
                    num=len(results))
