"""The example spaces in configs/_search_/ load, and match the configs they target."""
import glob
import os.path as osp

import optuna
import pytest

from mmext.apis import load_config
from mmext.hpo.space import load_space
from mmext.registry import METRICS
from tests._helpers.hpo_toy import REPO

SEARCH = osp.join(REPO, 'configs', '_search_')
SPACES = sorted(glob.glob(osp.join(SEARCH, '*.py')))
# space file -> the configs it is written for (those present in the repository)
TARGETS = {
    'thermal_yolox.py': 'configs/thermal/yolox_*.py',
    'slots.py': 'configs/slots/*.py',
    'depth_lr_wd.py': 'configs/food/*.py',
    'food_loss_weights.py': 'configs/food/*volume*.py',
    'selfsup_loss_weights.py': 'configs/selfsup/fumet_*kitti*.py',
}


def test_every_family_has_a_space():
    names = {osp.basename(p) for p in SPACES}
    assert {'thermal_yolox.py', 'slots.py', 'depth_lr_wd.py', 'food_loss_weights.py',
            'selfsup_loss_weights.py'} <= names


@pytest.mark.parametrize('path', SPACES, ids=osp.basename)
def test_space_loads_and_samples(path):
    space = load_space(path)
    assert space.metric and space.direction in ('maximize', 'minimize')
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(5):
        trial = study.ask()
        values = space.sample(trial)
        assert values and all(k in [p.key for p in space.params] for k in values)
        study.tell(trial, 0.0)


@pytest.mark.parametrize('name, pattern', sorted(TARGETS.items()))
def test_space_keys_exist_in_target_configs(name, pattern):
    space = load_space(osp.join(SEARCH, name))
    configs = sorted(glob.glob(osp.join(REPO, pattern)))
    assert configs, f'no config matches {pattern}'
    for cfg_path in configs:
        cfg = load_config(cfg_path, dict(space.cfg_options) or None)
        space.check_against_config(cfg, cfg_path)
        # sampled values land at their dotted keys (list items by index) like --cfg-options
        trial = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1)).ask()
        values = space.sample(trial)
        merged = load_config(cfg_path, {**space.cfg_options, **values}).to_dict()
        for key, value in values.items():
            node = merged
            for part in key.split('.'):
                node = node[int(part)] if isinstance(node, list) else node[part]
            assert node == value, (cfg_path, key)
        if 'model.losses.0.loss_weight' in values:  # the other list items are kept
            assert len(merged['model']['losses']) == 4
        # the metric's prefix is produced by one of the config's val evaluators
        evaluators = cfg.val_evaluator
        evaluators = evaluators if isinstance(evaluators, list) else [evaluators]
        prefixes = {e.get('prefix') or METRICS.get(e['type']).default_prefix
                    for e in evaluators}
        assert space.metric.split('/')[0] in prefixes, (cfg_path, prefixes)
