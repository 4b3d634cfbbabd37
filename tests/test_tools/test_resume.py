"""Exact resume: 2 epochs in one go == 1 epoch, then --resume for the second."""
import glob
import json
import os.path as osp

import torch

from tests._helpers.tools import TRAIN, run_tool
from tests._helpers.toy_data import make_toy_flir, write_toy_config


def _train(cfg, work_dir, *extra):
    # in one process, mmengine's MessageHub and Visualizer are named singletons: give each
    # run its own names so logs go to that run's work dir
    name = osp.basename(work_dir) + '_' + osp.basename(cfg)[:-3]
    code, err = run_tool(TRAIN, cfg, '--work-dir', work_dir, *extra, '--cfg-options',
                         f'experiment_name={name}', f'visualizer.name=vis_{name}')
    assert code == 0, err[-3000:]


def _losses(work_dir):
    """Per-iteration training losses from mmengine's scalar logs (all runs in work_dir)."""
    rows = {}
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            for line in f:
                rec = json.loads(line)
                if 'loss' in rec and 'iter' in rec and 'epoch' in rec:
                    rows[rec['iter']] = rec['loss']
    return rows


def test_resume_matches_uninterrupted_run(tmp_path):
    data = make_toy_flir(str(tmp_path / 'data'), train=6, val=2)
    full = write_toy_config(str(tmp_path / 'full.py'), data, max_epochs=2)
    first = write_toy_config(str(tmp_path / 'first.py'), data, max_epochs=1)
    _train(full, str(tmp_path / 'a'))
    _train(first, str(tmp_path / 'b'))
    _train(full, str(tmp_path / 'b'), '--resume')  # resumes epoch_1.pth from the work dir

    ckpt_a = torch.load(osp.join(tmp_path, 'a', 'epoch_2.pth'), map_location='cpu')
    ckpt_b = torch.load(osp.join(tmp_path, 'b', 'epoch_2.pth'), map_location='cpu')
    assert ckpt_a['meta']['iter'] == ckpt_b['meta']['iter'] == 6
    for key, value in ckpt_a['state_dict'].items():
        assert torch.equal(value, ckpt_b['state_dict'][key]), f'{key} differs after resume'
    losses_a, losses_b = _losses(str(tmp_path / 'a')), _losses(str(tmp_path / 'b'))
    assert sorted(losses_a) == sorted(losses_b) == [1, 2, 3, 4, 5, 6]
    for it in losses_a:
        assert losses_a[it] == losses_b[it], f'loss at iter {it} differs'
    # the weights really moved during epoch 2 (a resume that skipped training would fail)
    ckpt_1 = torch.load(osp.join(tmp_path, 'b', 'epoch_1.pth'), map_location='cpu')
    moved = [k for k, v in ckpt_1['state_dict'].items()
             if v.is_floating_point() and not torch.equal(v, ckpt_b['state_dict'][k])]
    assert moved
