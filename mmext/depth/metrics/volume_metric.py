"""VolumeMetric: food volume errors in mL, per-size table and error histogram."""
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmext.geometry import compute_volume
from mmext.registry import METRICS

M3_TO_ML = 1e6


def volume_errors(pred_ml: np.ndarray, gt_ml: np.ndarray) -> Dict[str, float]:
    """Aggregate errors of predicted vs true volumes (mL).

    ``mae_ml = mean|p - g|``; ``mre = mean(|p - g| / g)``; ``mae_percent = 100 * mean|p - g| /
    mean(g)`` (Nutrition5k's aggregate MAE%); ``bias_ml = mean(p - g)`` (signed).
    """
    pred_ml, gt_ml = np.asarray(pred_ml, np.float64), np.asarray(gt_ml, np.float64)
    err = pred_ml - gt_ml
    return {
        'mae_ml': float(np.abs(err).mean()),
        'mre': float((np.abs(err) / gt_ml).mean()),
        'mae_percent': float(100 * np.abs(err).mean() / gt_ml.mean()),
        'bias_ml': float(err.mean()),
    }


@METRICS.register_module()
class VolumeMetric(BaseMetric):
    """Volume from predicted depth vs the ground-truth volume label.

    Each sample needs ``pred_depth`` (``(H, W)``, metres), ``food_mask``, ``K`` (for that
    image size) and ``gt_volume`` (m^3); a sample may carry ``pred_volume`` (m^3) instead of
    ``pred_depth``. The predicted volume uses the same :func:`compute_volume` (plane fitted on
    a ring of the *predicted* depth) as the labels used on the ground truth.

    Args:
        bins_ml: Edges of the per-size table (mL, by true volume).
        footprint: Footprint of :func:`compute_volume`.
        plane_method: Table-plane fit on the predicted depth (``'lstsq'`` or ``'ransac'``).
        ring_inner: Gap between mask and plane-fit ring (pixels, at the prediction's size).
        ring_width: Width of the plane-fit ring (pixels).
        hist_path: Where to write the error-histogram PNG; default
            ``<visualizer save_dir>/volume_error_hist.png`` when a runner is active; ``''``
            writes none.
        collect_device: See :class:`mmengine.evaluator.BaseMetric`.
        prefix: Metric name prefix (default ``'volume'``).
    """
    default_prefix = 'volume'

    def __init__(self, bins_ml: Sequence[float] = (0, 50, 100, 200, 400, float('inf')),
                 footprint: str = 'surface', plane_method: str = 'lstsq', ring_inner: int = 5,
                 ring_width: int = 20, hist_path: Optional[str] = None,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.bins_ml, self.footprint, self.hist_path = list(bins_ml), footprint, hist_path
        self.plane_kw = dict(plane_method=plane_method, ring_inner=ring_inner,
                             ring_width=ring_width)

    def process(self, data_batch: Any, data_samples: Sequence[Dict]) -> None:
        """Compute the predicted volume of every sample."""
        for s in data_samples:
            gt = float(torch.as_tensor(s['gt_volume']).reshape(-1)[0])
            if gt <= 0:
                continue
            if 'pred_volume' in s:
                pv = float(torch.as_tensor(s['pred_volume']).reshape(-1)[0])
            else:
                for key in ('pred_depth', 'food_mask', 'K'):
                    if key not in s:
                        raise KeyError(f"VolumeMetric needs '{key}' in each sample, "
                                       f'got {sorted(s)}')
                depth = torch.as_tensor(s['pred_depth']).double().reshape(
                    1, *torch.as_tensor(s['pred_depth']).shape[-2:])
                mask = torch.as_tensor(s['food_mask']).reshape(depth.shape).bool()
                pv = compute_volume(depth, torch.as_tensor(s['K']).double(), mask,
                                    footprint=self.footprint, **self.plane_kw).item()
            self.results.append({'pred_ml': pv * M3_TO_ML, 'gt_ml': gt * M3_TO_ML})

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        """Aggregate errors, log the per-size table and save the histogram."""
        if not results:
            raise ValueError('VolumeMetric: no sample with a positive gt_volume')
        pred = np.array([r['pred_ml'] for r in results])
        gt = np.array([r['gt_ml'] for r in results])
        out = volume_errors(pred, gt)
        out['num_dishes'] = len(results)
        table = self.size_table(pred, gt)
        MMLogger.get_current_instance().info('Volume error by true volume (mL):\n' + table)
        path = self._hist_path()
        if path is not None:
            save_error_histogram(pred - gt, path)
        return out

    def size_table(self, pred: np.ndarray, gt: np.ndarray) -> str:
        """Markdown table of the errors per true-volume bin."""
        lines = ['| volume (mL) | n | MAE (mL) | mean rel. err | bias (mL) |',
                 '|---|---|---|---|---|']
        for lo, hi in zip(self.bins_ml[:-1], self.bins_ml[1:]):
            sel = (gt >= lo) & (gt < hi)
            if not sel.any():
                lines.append(f'| {lo:g}-{hi:g} | 0 | - | - | - |')
                continue
            e = volume_errors(pred[sel], gt[sel])
            lines.append(f"| {lo:g}-{hi:g} | {int(sel.sum())} | {e['mae_ml']:.2f} | "
                         f"{e['mre']:.3f} | {e['bias_ml']:+.2f} |")
        return '\n'.join(lines)

    def _hist_path(self) -> Optional[str]:
        if self.hist_path is not None:
            return self.hist_path or None
        from mmengine.visualization import Visualizer
        try:
            vis = Visualizer.get_current_instance()
        except Exception:  # no runner / visualizer
            return None
        # The visualizer keeps <work_dir>/<timestamp>/vis_data in its backends.
        for backend in getattr(vis, '_vis_backends', {}).values():
            save_dir = getattr(backend, '_save_dir', None)
            if save_dir:
                return osp.join(save_dir, 'volume_error_hist.png')
        return None


def save_error_histogram(err_ml: np.ndarray, path: str, bins: int = 30) -> None:
    """Write a histogram of signed volume errors (mL) as a PNG (matplotlib)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from mmengine.utils import mkdir_or_exist
    mkdir_or_exist(osp.dirname(osp.abspath(path)))
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.hist(err_ml, bins=bins, color='#4477aa')
    ax.axvline(0, color='k', lw=0.8)
    ax.set_xlabel('predicted - true volume (mL)')
    ax.set_ylabel('dishes')
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
