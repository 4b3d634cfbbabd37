"""The slot-count sweep helpers and tool (the training itself is the Runner's, tested with
the configs)."""
import json
import os.path as osp

import pytest
from mmengine.config import Config

from mmext.slots.sweep import last_diagnostics, sweep_config, write_sweep_table

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CFG = osp.join(ROOT, 'configs', 'slots', 'dinosaur-attnmask_tiny-random_synthetic-movi_64.py')


def test_sweep_config_and_table(tmp_path):
    cfg = Config.fromfile(CFG)
    run = sweep_config(cfg, 3, str(tmp_path), max_iters=7)
    assert run.model.encoder.num_slots == 3 and cfg.model.encoder.num_slots == 5
    assert run.work_dir == str(tmp_path / 'slots_3')
    assert run.train_cfg.max_iters == 7 and run.train_cfg.val_interval == 7
    with pytest.raises(KeyError, match='num_slots'):
        sweep_config(Config(dict(model=dict(type='X'))), 3, str(tmp_path))
    diag_dir = tmp_path / 'slots_3' / 'diagnostics'
    diag_dir.mkdir(parents=True)
    json.dump(dict(iter=[1, 50], collapsed=[True, False], mask_similarity=[0.99, 0.3]),
              open(diag_dir / 'diagnostics.json', 'w'))
    last = last_diagnostics(str(tmp_path / 'slots_3'))
    assert last['mask_similarity'] == 0.3 and last['collapsed'] is False
    assert last_diagnostics(str(tmp_path / 'nothing')) == {}
    rows = [dict(num_slots=3, **{'slots/FG-ARI': 0.5, 'diag/mask_similarity': 0.3}),
            dict(num_slots=5, **{'slots/FG-ARI': 0.25, 'diag/mask_similarity': None})]
    md, csv_path = write_sweep_table(rows, str(tmp_path))
    text = open(md).read()
    assert '| num_slots | slots/FG-ARI | diag/mask_similarity |' in text
    assert '| 3 | 0.5000 | 0.3000 |' in text and '| 5 | 0.2500 | None |' in text
    assert open(csv_path).read().splitlines()[1] == '3,0.5,0.3'


def test_sweep_tool_rejects_non_slot_configs(tmp_path):
    import importlib.util
    from mmext.utils import UserInputError
    spec = importlib.util.spec_from_file_location(
        'slots_sweep', osp.join(ROOT, 'tools', 'analysis_tools', 'slots_sweep.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    bad = tmp_path / 'bad.py'
    bad.write_text("model = dict(type='Foo')\n")
    with pytest.raises(UserInputError, match='model.encoder.num_slots'):
        tool.main([str(bad), '--num-slots', '3'])
    with pytest.raises(UserInputError, match='>= 1'):
        tool.main([CFG, '--num-slots', '0'])
