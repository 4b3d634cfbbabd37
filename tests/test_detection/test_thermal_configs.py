"""Every thermal config parses, builds its model, and names registered components; the
homography fitting tool recovers a known homography."""
import glob
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmext.registry import DATASETS, METRICS, MODELS
from tests._helpers.tools import REPO

CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'thermal', '*.py')))


@pytest.mark.parametrize('path', CONFIGS, ids=[osp.basename(p) for p in CONFIGS])
def test_config_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmext'
    with DefaultScope.overwrite_default_scope('mmext'):
        ds = cfg.train_dataloader.dataset
        ds = ds.get('dataset', ds)
        classes = ds.metainfo.classes
        assert cfg.val_dataloader.dataset.metainfo.classes == classes
        assert cfg.model.bbox_head.num_classes == len(classes)
        if 'yolox_x' not in osp.basename(path):  # YOLOX-x (99M params): parse only
            model = MODELS.build(cfg.model)
            assert model.bbox_head.num_classes == len(classes)
        assert DATASETS.get(ds.type) is not None
        assert METRICS.get(cfg.val_evaluator.type) is not None
    if 'pseudo' in osp.basename(path):
        assert set(cfg.pseudo_labels.class_map.values()) <= set(ds.metainfo.classes)


def test_fit_homography_recovers_known_matrix(tmp_path):
    spec = importlib.util.spec_from_file_location(
        'fit_h', osp.join(REPO, 'tools', 'analysis_tools', 'fit_rgb_thermal_homography.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    H = np.array([[0.78, 0.02, -40.0], [-0.01, 0.8, 12.0], [1e-5, 2e-5, 1.0]])
    rng = np.random.default_rng(0)
    rgb = rng.uniform([0, 0], [800, 640], (30, 2))
    p = np.c_[rgb, np.ones(30)] @ H.T
    thermal = p[:, :2] / p[:, 2:]
    thermal[:3] += 40  # three wrong clicks
    with open(tmp_path / 'pts.csv', 'w') as f:
        f.write('x_rgb,y_rgb,x_thermal,y_thermal\n')
        for (a, b), (c, d) in zip(rgb, thermal):
            f.write(f'{a},{b},{c},{d}\n')
    mod.main([str(tmp_path / 'pts.csv'), str(tmp_path / 'h.json')])
    out = json.load(open(tmp_path / 'h.json'))
    assert out['inliers'] == 27
    assert np.allclose(np.array(out['rgb_to_thermal']), H, rtol=1e-3, atol=1e-6)
