"""Honest comparison of a fine-tuned depth model with the baselines that expose fake gains.

Seed 000's lesson: most of an apparent fine-tuning gain on Nutrition5k was a global scale fix
(the pretrained model put a 0.36 m table at ~1 m). Every comparison therefore reports, on the
same test dishes:

* ``pretrained``: the model before fine-tuning;
* ``pretrained + median scaling``: each prediction scaled by ``median(gt) / median(pred)``
  (an oracle using the test GT; upper bound of a per-image scale fix);
* ``pretrained + global scale``: one scale fitted on the *train* split (median over train
  images of ``median(gt) / median(pred)``), applied to every test image;
* ``constant (train mean)``: the per-pixel mean of the train ground-truth depth maps;
* ``fine-tuned``: the model after fine-tuning.
"""
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from ..metrics import DepthMetric, VolumeMetric

__all__ = ['cross_domain_rows', 'collect_predictions', 'fit_global_scale', 'mean_depth_map',
           'evaluate_predictions',
           'honest_rows', 'format_table']


def _np(x) -> np.ndarray:
    x = x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    return x[0] if x.ndim == 3 and x.shape[0] == 1 else x


def collect_predictions(model, dataset, limit: Optional[int] = None) -> List[Dict]:
    """Run ``model`` (mode='predict') on every sample of ``dataset`` (one at a time)."""
    out = []
    model.eval()
    n = len(dataset) if limit is None else min(limit, len(dataset))
    with torch.no_grad():
        for i in range(n):
            item = dataset[i]
            batch = model.data_preprocessor({'inputs': [item['inputs']],
                                             'data_samples': [item['data_samples']]})
            s = model(**batch, mode='predict')[0]
            d = {k: s.get(k) for k in ('gt_depth', 'food_mask', 'K', 'gt_volume')}
            r = dict(pred_depth=_np(s.pred_depth).astype(np.float64),
                     gt_depth=_np(d['gt_depth']).astype(np.float64),
                     gt_volume=0.0 if d['gt_volume'] is None else float(d['gt_volume']),
                     dish_id=s.get('dish_id', s.get('sample_id')), img_path=s.get('img_path'))
            if d['food_mask'] is not None:          # non-food benchmarks have no mask / K
                r['food_mask'] = _np(d['food_mask']).astype(bool)
            if d['K'] is not None:
                r['K'] = _np(d['K'])
            for k in ('pred_K', 'pred_fx_rel_err'):
                if k in s:
                    r[k] = _np(s.get(k)) if k == 'pred_K' else float(s.get(k))
            out.append(r)
    return out


def _ratio(s: Dict) -> float:
    valid = s['gt_depth'] > 0
    return float(np.median(s['gt_depth'][valid]) / max(np.median(s['pred_depth'][valid]), 1e-12))


def fit_global_scale(train_samples: Sequence[Dict]) -> float:
    """Median over images of ``median(gt) / median(pred)`` on valid pixels."""
    if not train_samples:
        raise ValueError('fit_global_scale needs at least one train prediction')
    return float(np.median([_ratio(s) for s in train_samples]))


def mean_depth_map(train_samples: Sequence[Dict], size) -> np.ndarray:
    """Per-pixel mean of valid train GT depths, resized (bilinear) to ``size``; pixels never
    valid get the global mean."""
    acc, cnt = np.zeros(size), np.zeros(size)
    for s in train_samples:
        g = s['gt_depth']
        if g.shape != tuple(size):
            g = F.interpolate(torch.from_numpy(g)[None, None], size, mode='nearest')[0, 0].numpy()
        acc += np.where(g > 0, g, 0)
        cnt += g > 0
    glob = acc.sum() / max(cnt.sum(), 1)
    return np.where(cnt > 0, acc / np.maximum(cnt, 1), glob)


def evaluate_predictions(samples: Sequence[Dict], transform: Optional[Callable] = None,
                         depth_kwargs: Optional[Dict] = None,
                         volume_kwargs: Optional[Dict] = None) -> Dict[str, float]:
    """AbsRel, RMSE, d1 (DepthMetric) and volume MAE / mean relative error (VolumeMetric) of
    predictions, each first mapped by ``transform(sample) -> pred_depth`` when given."""
    dm = DepthMetric(**(depth_kwargs or {}))
    vm = VolumeMetric(hist_path='', **(volume_kwargs or {}))
    batch = []
    for s in samples:
        t = dict(s)
        if transform is not None:
            t['pred_depth'] = transform(s)
        batch.append(t)
    dm.process(None, batch)
    vm.process(None, [t for t in batch if 'food_mask' in t or 'pred_volume' in t])
    d = dm.compute_metrics(dm.results)
    out = {k: d[k] for k in ('abs_rel', 'abse', 'rmse', 'd1') if k in d}
    out.update({k: d[k] for k in ('ms_abs_rel', 'ms_rmse', 'ms_d1') if k in d})
    if vm.results:
        v = vm.compute_metrics(vm.results)
        out.update(volume_mae_ml=v['mae_ml'], volume_mre=v['mre'])
    return out


def honest_rows(pretrained_test: Sequence[Dict], pretrained_train: Sequence[Dict],
                finetuned_test: Optional[Sequence[Dict]] = None,
                depth_kwargs: Optional[Dict] = None,
                volume_kwargs: Optional[Dict] = None) -> Dict[str, Dict[str, float]]:
    """All rows of the comparison (see the module docstring)."""
    scale = fit_global_scale(pretrained_train)
    size = pretrained_test[0]['gt_depth'].shape
    const = mean_depth_map(pretrained_train, size)

    def const_pred(s):
        c = const
        if s['gt_depth'].shape != const.shape:
            c = F.interpolate(torch.from_numpy(const)[None, None], s['gt_depth'].shape,
                              mode='bilinear', align_corners=False)[0, 0].numpy()
        return c

    ev = lambda samples, tf=None: evaluate_predictions(samples, tf, depth_kwargs,  # noqa: E731
                                                       volume_kwargs)
    rows = {
        'pretrained': ev(pretrained_test),
        'pretrained + median scaling (oracle)': ev(pretrained_test,
                                                   lambda s: s['pred_depth'] * _ratio(s)),
        f'pretrained + global scale x{scale:.3f} (train)': ev(
            pretrained_test, lambda s: s['pred_depth'] * scale),
        'constant (train mean depth)': ev(pretrained_test, const_pred),
    }
    if finetuned_test is not None:
        rows['fine-tuned'] = ev(finetuned_test)
    return rows


def cross_domain_rows(sets: Dict[str, Dict]) -> Dict[str, Dict[str, float]]:
    """Before/after rows on food and non-food sets side by side.

    Args:
        sets: ``{set name: dict(before=samples, after=samples or None, depth_kwargs=...,
            volume_kwargs=...)}``; samples from :func:`collect_predictions`.

    Returns:
        ``{'<set>: before' / '<set>: after': metrics}`` (:func:`evaluate_predictions`).
    """
    rows = {}
    for name, s in sets.items():
        for when in ('before', 'after'):
            if s.get(when) is not None:
                rows[f'{name}: {when}'] = evaluate_predictions(
                    s[when], None, s.get('depth_kwargs'), s.get('volume_kwargs'))
    return rows


def format_table(rows: Dict[str, Dict[str, float]]) -> str:
    """Markdown table of :func:`honest_rows` / :func:`cross_domain_rows`."""
    cols = [('abs_rel', 'AbsRel', '.4f'), ('abse', 'AbsE (m)', '.4f'),
            ('rmse', 'RMSE (m)', '.4f'), ('d1', 'd1', '.3f'),
            ('ms_abs_rel', 'AbsRel (median-scaled)', '.4f'),
            ('volume_mae_ml', 'volume MAE (mL)', '.2f'),
            ('volume_mre', 'volume rel. err', '.3f')]
    cols = [c for c in cols if c[0] in ('abs_rel', 'rmse', 'd1', 'volume_mae_ml', 'volume_mre')
            or any(c[0] in r for r in rows.values())]
    lines = ['| model | ' + ' | '.join(c[1] for c in cols) + ' |',
             '|---|' + '---|' * len(cols)]
    for name, r in rows.items():
        lines.append(f'| {name} | ' + ' | '.join(
            format(r[k], f) if k in r else '-' for k, _, f in cols) + ' |')
    return '\n'.join(lines)
