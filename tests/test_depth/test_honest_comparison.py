"""Honest-comparison baselines: formulas on concrete arrays and the one-command tool."""
import importlib.util
import os.path as osp

import numpy as np
import pytest
import torch

from mmext.depth.evaluation import fit_global_scale, format_table, honest_rows, mean_depth_map

ROOT = osp.join(osp.dirname(__file__), '..', '..')


def _sample(gt, pred, vol=0.0):
    return dict(gt_depth=np.asarray(gt, float), pred_depth=np.asarray(pred, float),
                food_mask=np.zeros(np.shape(gt), bool), K=np.eye(3), gt_volume=vol)


def test_global_scale_and_mean_map_concrete():
    a = _sample([[1.0, 2.0], [3.0, 0.0]], [[2.0, 4.0], [6.0, 9.0]])     # ratio 0.5
    b = _sample([[2.0, 2.0], [2.0, 2.0]], [[1.0, 1.0], [1.0, 1.0]])     # ratio 2
    c = _sample([[1.0, 1.0], [1.0, 1.0]], [[4.0, 4.0], [4.0, 4.0]])     # ratio 0.25
    assert fit_global_scale([a, b, c]) == pytest.approx(0.5)
    m = mean_depth_map([a, b], (2, 2))
    assert np.allclose(m, [[1.5, 2.0], [2.5, 2.0]])                   # (3,0) only valid in b


def test_rows_expose_a_scale_only_gain():
    rng = np.random.default_rng(0)
    gts = [rng.uniform(0.3, 0.4, (6, 8)) for _ in range(4)]
    pre = [_sample(g, g * 2.7 * rng.uniform(0.98, 1.02, g.shape)) for g in gts]
    rows = honest_rows(pre[2:], pre[:2], finetuned_test=[_sample(g, g * 1.01) for g in gts[2:]])
    assert rows['pretrained']['abs_rel'] == pytest.approx(1.7, abs=0.03)
    glob = [k for k in rows if k.startswith('pretrained + global scale')][0]
    # One scale from train already removes almost all error: the fine-tune's gain is scale.
    assert rows[glob]['abs_rel'] < 0.03 and rows['fine-tuned']['abs_rel'] < 0.011
    assert rows['pretrained + median scaling (oracle)']['abs_rel'] < 0.03
    table = format_table(rows)
    assert table.count('\n') == 2 + 4 and 'constant (train mean depth)' in table


@pytest.mark.slow
def test_tool_prints_all_baselines(n5k_root, tmp_path, capsys):
    root, _ = n5k_root
    spec = importlib.util.spec_from_file_location(
        'food_honest_comparison', osp.join(ROOT, 'tools/analysis_tools/food_honest_comparison.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    from mmengine.config import Config
    from mmext.registry import MODELS
    cfg_path = osp.join(ROOT, 'configs/food/dav2_tiny_volume_mix_synthetic_cpu.py')
    model = MODELS.build(Config.fromfile(cfg_path).model)
    ckpt = tmp_path / 'ft.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, ckpt)
    opts = []
    for dl in ('train_dataloader', 'test_dataloader'):
        # Shares the label cache of the data set tests (same K, masks and ring).
        opts += [f'{dl}.dataset.data_root={root}/', f'{dl}.dataset.cache_dir={root}/cache']
    rows = tool.main([cfg_path, str(ckpt), '--max-train', '3', '--max-test', '2',
                      '--out', str(tmp_path / 't.md'), '--cfg-options'] + opts)
    out = capsys.readouterr().out
    assert len(rows) == 5 and all(np.isfinite(r['abs_rel']) for r in rows.values())
    for name in ('pretrained |', 'median scaling', 'global scale', 'constant', 'fine-tuned'):
        assert name in out
    assert (tmp_path / 't.md').read_text().startswith('| model |')
