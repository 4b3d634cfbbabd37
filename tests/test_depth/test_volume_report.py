"""Per-dish CSV, histogram, per-size table, worst-N panels and the side-by-side table."""
import csv

import numpy as np
import pytest
import torch

from mmext.depth.evaluation import compare_models_table, per_dish_rows, write_volume_report
from mmext.geometry import compute_volume


def _samples(scale, n=4):
    out = []
    for i in range(n):
        gt = np.full((40, 60), 0.36)
        mask = np.zeros((40, 60), bool)
        mask[12:28, 15 + i:40 + i] = True
        gt[mask] = 0.33
        K = np.array([[60.0, 0, 29.5], [0, 60.0, 19.5], [0, 0, 1]])
        vol = compute_volume(torch.from_numpy(gt)[None], torch.from_numpy(K),
                             torch.from_numpy(mask)[None], ring_inner=1, ring_width=4).item()
        pred = gt.copy()
        pred[mask] = 0.36 - (0.36 - 0.33) * scale * (1 + 0.1 * i)
        out.append(dict(pred_depth=pred, gt_depth=gt, food_mask=mask, K=K, gt_volume=vol,
                        dish_id=f'dish_{i}', img_path=None))
    return out


def test_report_files_and_table(tmp_path):
    samples = _samples(1.5)
    rows = per_dish_rows(samples, ring_inner=1, ring_width=4)
    # Heights 1.5 x (1 + 0.1 i) too high (the nearer surface has smaller pixels): errors
    # grow with i; each row is compute_volume of the prediction.
    rel = [r['rel_err'] for r in rows]
    assert rel == sorted(rel) and rel[0] > 0.3
    for r, s in zip(rows, samples):
        pv = compute_volume(torch.from_numpy(s['pred_depth'])[None], torch.from_numpy(s['K']),
                            torch.from_numpy(s['food_mask'])[None], ring_inner=1,
                            ring_width=4).item() * 1e6
        assert r['pred_ml'] == pytest.approx(pv) and r['gt_ml'] == pytest.approx(
            s['gt_volume'] * 1e6)
    res = write_volume_report(samples, str(tmp_path / 'a'), worst_n=2, ring_inner=1,
                              ring_width=4)
    with open(tmp_path / 'a' / 'per_dish.csv') as f:
        got = list(csv.DictReader(f))
    assert [g['dish_id'] for g in got] == [f'dish_{i}' for i in range(4)]
    assert float(got[0]['pred_ml']) == pytest.approx(rows[0]['pred_ml'])
    assert (tmp_path / 'a' / 'error_hist.png').exists()
    assert '| 0-50 |' in (tmp_path / 'a' / 'by_size.md').read_text()
    worst = sorted(p.name for p in (tmp_path / 'a').glob('worst_*.png'))
    assert worst == ['worst_00_dish_3.png', 'worst_01_dish_2.png']
    res2 = write_volume_report(_samples(1.0), str(tmp_path / 'b'), worst_n=0, ring_inner=1,
                               ring_width=4)
    table = compare_models_table({'dav2': res, 'unidepth': res2}, 'K = (60, 60)')
    assert table.count('\n| ') == 2 and 'K = (60, 60)' in table
    assert res2['mae_ml'] < 0.5 * res['mae_ml'] and res['median_scale_ratio'] <= 1
