"""How volume errors depend on the assumed focal length (Nutrition5k's K was never released).

Predicted volumes are recomputed with ``fx, fy`` scaled to each assumed focal length; the
labels are either kept (``labels='fixed'``: they stand for the true volumes, e.g. analytic
dishes or labels made with the true camera) or recomputed from the ground-truth depth with the
same assumed K (``labels='same_K'``: what happens when the labels are derived from depth with
the assumed K, as Nutrition5kDataset does).
"""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from mmext.geometry import compute_volume
from ..metrics.volume_metric import M3_TO_ML, volume_errors

__all__ = ['focal_sweep', 'format_focal_table']


def _scaled_K(K: np.ndarray, s: float) -> torch.Tensor:
    K = torch.as_tensor(np.asarray(K, np.float64)).clone()
    K[0, 0] *= s
    K[1, 1] *= s
    return K


def _volume(depth, K, mask, **kw) -> float:
    d = torch.as_tensor(np.asarray(depth, np.float64))
    d = d.reshape(1, *d.shape[-2:])
    m = torch.as_tensor(np.asarray(mask)).reshape(d.shape).bool()
    return compute_volume(d, K, m, **kw).item()


def focal_sweep(samples: Sequence[Dict], focals: Sequence[float], ref_focal: float,
                footprint: str = 'surface', plane_method: str = 'lstsq', ring_inner: int = 5,
                ring_width: int = 20, label_plane_method: str = 'ransac') -> List[Dict]:
    """Volume errors for each assumed focal length.

    Args:
        samples: Dicts with ``pred_depth``, ``gt_depth``, ``food_mask``, ``K`` (at the sample's
            size, built with ``ref_focal``) and ``gt_volume`` (m^3).
        focals: Assumed focal lengths, in the units of ``ref_focal`` (px at 640x480).
        ref_focal: The focal length the samples' K was built with (e.g. 465.1).
        footprint, plane_method, ring_inner, ring_width: As :class:`VolumeMetric`.
        label_plane_method: Plane fit of relabelled volumes (Nutrition5kDataset: RANSAC).

    Returns:
        One dict per focal: ``focal``, ``mae_ml``, ``mre``, ``bias_ml`` (fixed labels),
        ``mae_ml_same_K``, ``mre_same_K`` (labels recomputed with the same K), ``n``.
    """
    if ref_focal <= 0 or any(f <= 0 for f in focals):
        raise ValueError('focal lengths must be positive')
    samples = [s for s in samples if float(s['gt_volume']) > 0]
    if not samples:
        raise ValueError('focal_sweep: no sample with a positive gt_volume')
    kw = dict(footprint=footprint, ring_inner=ring_inner, ring_width=ring_width)
    rows = []
    for f in focals:
        pred, fixed, relab = [], [], []
        for s in samples:
            K = _scaled_K(s['K'], f / ref_focal)
            pred.append(_volume(s['pred_depth'], K, s['food_mask'], plane_method=plane_method,
                                **kw) * M3_TO_ML)
            fixed.append(float(s['gt_volume']) * M3_TO_ML)
            extra = ({'generator': torch.Generator().manual_seed(0)}
                     if label_plane_method == 'ransac' else {})
            relab.append(_volume(s['gt_depth'], K, s['food_mask'],
                                 plane_method=label_plane_method, **kw, **extra) * M3_TO_ML)
        e = volume_errors(np.array(pred), np.array(fixed))
        relab = np.array(relab)
        ok = relab > 0
        e2 = volume_errors(np.array(pred)[ok], relab[ok]) if ok.any() else None
        rows.append(dict(focal=float(f), n=len(samples), mae_ml=e['mae_ml'], mre=e['mre'],
                         bias_ml=e['bias_ml'],
                         mae_ml_same_K=float('nan') if e2 is None else e2['mae_ml'],
                         mre_same_K=float('nan') if e2 is None else e2['mre']))
    return rows


def format_focal_table(rows: Sequence[Dict], ref_focal: Optional[float] = None) -> str:
    """Markdown table of :func:`focal_sweep`."""
    lines = ['| assumed f (px) | n | MAE (mL), fixed labels | mean rel. err | bias (mL) | '
             'MAE (mL), labels with same K | mean rel. err, same K |',
             '|---|---|---|---|---|---|---|']
    for r in rows:
        tag = ' (labels\' K)' if ref_focal is not None and abs(r['focal'] - ref_focal) < 1e-6 \
            else ''
        lines.append(f"| {r['focal']:.1f}{tag} | {r['n']} | {r['mae_ml']:.2f} | {r['mre']:.3f} "
                     f"| {r['bias_ml']:+.2f} | {r['mae_ml_same_K']:.2f} | "
                     f"{r['mre_same_K']:.3f} |")
    return '\n'.join(lines)
