"""Food-volume reports (log 001's evaluation): per-dish CSV, error histogram, per-size table,
worst-N panels and a side-by-side table of several models (DAV2 vs UniDepth).

Input samples are :func:`~mmext.depth.evaluation.collect_predictions` dicts.
"""
import csv
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
import torch

from mmext.geometry import compute_volume
from ..metrics.volume_metric import M3_TO_ML, VolumeMetric, save_error_histogram, volume_errors

__all__ = ['volume_kwargs', 'per_dish_rows', 'write_per_dish_csv', 'write_volume_report',
           'compare_models_table']

CSV_FIELDS = ['dish_id', 'gt_ml', 'pred_ml', 'err_ml', 'abs_err_ml', 'rel_err', 'scale_ratio',
              'pred_fx_rel_err']


def volume_kwargs(cfg) -> Dict:
    """The volume options (``ring_inner``, ``ring_width``, ``footprint``, ``plane_method``)
    of the ``VolumeMetric`` in ``cfg.test_evaluator`` (the last one when several; ``{}``
    when none), so that the analysis tools compute volumes as the config's evaluator does."""
    kw: Dict = {}
    for m in (cfg.test_evaluator if isinstance(cfg.test_evaluator, list) else
              [cfg.test_evaluator]):
        if m.get('type') == 'VolumeMetric':
            kw = {k: v for k, v in m.items() if k in ('ring_inner', 'ring_width',
                                                      'footprint', 'plane_method')}
    return kw


def per_dish_rows(samples: Sequence[Dict], ring_inner: int = 5, ring_width: int = 20,
                  footprint: str = 'surface', plane_method: str = 'lstsq') -> List[Dict]:
    """One row per dish with a positive label: true / predicted volume (mL), signed and
    relative error, and the depth scale ratio ``median(gt) / median(pred)`` on valid pixels
    (seed 000's diagnostic: 1 = right scale). ``pred_fx_rel_err`` for UniDepth predictions."""
    rows = []
    for s in samples:
        gt_ml = float(s['gt_volume']) * M3_TO_ML
        if gt_ml <= 0 or 'food_mask' not in s:
            continue
        pred = np.asarray(s['pred_depth'], np.float64)
        pv = compute_volume(torch.from_numpy(pred)[None], torch.as_tensor(s['K'],
                            dtype=torch.float64), torch.from_numpy(s['food_mask'])[None],
                            footprint=footprint, plane_method=plane_method,
                            ring_inner=ring_inner, ring_width=ring_width).item() * M3_TO_ML
        valid = s['gt_depth'] > 0
        ratio = float(np.median(s['gt_depth'][valid]) / max(np.median(pred[valid]), 1e-12)) \
            if valid.any() else float('nan')
        rows.append(dict(dish_id=s.get('dish_id'), gt_ml=gt_ml, pred_ml=pv, err_ml=pv - gt_ml,
                         abs_err_ml=abs(pv - gt_ml), rel_err=abs(pv - gt_ml) / gt_ml,
                         scale_ratio=ratio, pred_fx_rel_err=s.get('pred_fx_rel_err', '')))
    return rows


def write_per_dish_csv(rows: Sequence[Dict], path: str) -> None:
    """CSV with :data:`CSV_FIELDS` columns."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w', newline='') as f:
        w = csv.DictWriter(f, CSV_FIELDS)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, '') for k in CSV_FIELDS})


def write_volume_report(samples: Sequence[Dict], out_dir: str, worst_n: int = 8,
                        bins_ml: Sequence[float] = (0, 50, 100, 200, 400, float('inf')),
                        **volume_kwargs) -> Dict:
    """Write ``per_dish.csv``, ``error_hist.png``, ``by_size.md`` and ``worst_<i>.png``
    (RGB | GT | pred | error | volume overlay, largest absolute volume errors) into
    ``out_dir``; return the aggregate errors."""
    from ..visualization import depth_panel
    os.makedirs(out_dir, exist_ok=True)
    rows = per_dish_rows(samples, **volume_kwargs)
    if not rows:
        raise ValueError('write_volume_report: no dish with a positive volume label')
    write_per_dish_csv(rows, osp.join(out_dir, 'per_dish.csv'))
    pred = np.array([r['pred_ml'] for r in rows])
    gt = np.array([r['gt_ml'] for r in rows])
    save_error_histogram(pred - gt, osp.join(out_dir, 'error_hist.png'))
    table = VolumeMetric(bins_ml=bins_ml, hist_path='').size_table(pred, gt)
    with open(osp.join(out_dir, 'by_size.md'), 'w') as f:
        f.write(table + '\n')
    by_id = {s.get('dish_id'): s for s in samples}
    ring = (volume_kwargs.get('ring_inner', 5), volume_kwargs.get('ring_width', 20))
    for i, r in enumerate(sorted(rows, key=lambda r: -r['abs_err_ml'])[:worst_n]):
        s = by_id[r['dish_id']]
        rgb = _rgb(s, s['pred_depth'].shape)
        panel = depth_panel(rgb, s['pred_depth'], s['gt_depth'], s['food_mask'], s['K'],
                            float(s['gt_volume']), ring=ring)
        cv2.imwrite(osp.join(out_dir, f'worst_{i:02d}_{r["dish_id"]}.png'), panel)
    out = volume_errors(pred, gt)
    out.update(num_dishes=len(rows), median_scale_ratio=float(np.median(
        [r['scale_ratio'] for r in rows])))
    return out


def _rgb(sample: Dict, shape) -> np.ndarray:
    path = sample.get('img_path')
    img = cv2.imread(path, cv2.IMREAD_COLOR) if path else None
    if img is None:
        return np.zeros((*shape, 3), np.uint8)
    return img[..., ::-1]


def compare_models_table(results: Dict[str, Dict], k_note: Optional[str] = None) -> str:
    """Markdown table of :func:`write_volume_report` results, one row per model."""
    lines = ['| model | dishes | MAE (mL) | mean rel. err | MAE % | bias (mL) | '
             'median scale ratio |', '|---|---|---|---|---|---|---|']
    for name, r in results.items():
        lines.append(f"| {name} | {r['num_dishes']} | {r['mae_ml']:.2f} | {r['mre']:.3f} | "
                     f"{r['mae_percent']:.1f} | {r['bias_ml']:+.2f} | "
                     f"{r['median_scale_ratio']:.3f} |")
    if k_note:
        lines.append(f'\n{k_note}')
    return '\n'.join(lines)
