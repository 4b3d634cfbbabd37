"""configs/food/*: parse, name only registered types, and the CPU config builds and runs."""
import glob
import os.path as osp

import numpy as np
import pytest

ROOT = osp.join(osp.dirname(__file__), '..', '..')
CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', 'food', '*.py')))


def _types(obj):
    if isinstance(obj, dict):
        if 'type' in obj and isinstance(obj['type'], str):
            yield obj['type']
        for v in obj.values():
            yield from _types(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _types(v)


@pytest.mark.parametrize('path', CONFIGS, ids=[osp.basename(p) for p in CONFIGS])
def test_config_types_are_registered(path):
    import mmext  # noqa: F401
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmext import registry as R
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmext'
    regs = [R.MODELS, R.METRICS, R.DATASETS, R.TRANSFORMS, R.HOOKS, R.OPTIM_WRAPPERS,
            R.OPTIMIZERS, R.PARAM_SCHEDULERS, R.LOOPS, R.VISUALIZERS, R.VISBACKENDS,
            R.DATA_SAMPLERS, R.LOG_PROCESSORS]
    with DefaultScope.overwrite_default_scope('mmext'):
        missing = [t for t in set(_types(cfg.to_dict()))
                   if not any(r.get(t) is not None for r in regs)]
    assert not missing, missing
    assert CONFIGS and len(CONFIGS) >= 4


def test_volume_mix_weights_match_seed_001():
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(ROOT, 'configs/food/dav2_metric_indoor_large_volume_mix_'
                                         'nutrition5k.py'))
    w = {c['type']: c['loss_weight'] for c in cfg.model.losses}
    assert w == {'MaskedL1Loss': 1.0, 'DepthGradientLoss': 0.1, 'PlaneLevelLoss': 0.05,
                 'VolumeLoss': 0.1}
    seed000 = Config.fromfile(osp.join(ROOT, 'configs/food/dav2_metric_indoor_large_silog_'
                                             'nutrition5k_session.py'))
    assert seed000.model.losses[0]['lambd'] == 0.5
    # Encoder lr 5e-6 = base 5e-5 x lr_mult 0.1 (decoder x10, DAV2).
    assert seed000.optim_wrapper.optimizer.lr * \
        seed000.optim_wrapper.paramwise_cfg.custom_keys['backbone']['lr_mult'] == \
        pytest.approx(5e-6)


def test_visualization_panel(tmp_path):
    from mmext.depth.visualization import depth_panel
    gt = np.full((40, 60), 0.36)
    mask = np.zeros((40, 60), bool)
    mask[15:25, 20:40] = True
    gt[mask] = 0.34
    K = np.array([[60.0, 0, 29.5], [0, 60.0, 19.5], [0, 0, 1]])
    panel = depth_panel(np.zeros((40, 60, 3), np.uint8), gt + 0.01, gt, mask, K, 1e-6,
                        ring=(1, 4))
    assert panel.shape == (40, 60 * 5, 3) and panel.dtype == np.uint8
