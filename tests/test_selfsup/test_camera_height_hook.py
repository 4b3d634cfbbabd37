"""CameraHeightHook on toy runners: robust median, moving average, schedule of updates,
checkpoint/resume; and under real 2-process DDP (tools/dist_train.sh)."""
import copy
import json
import math
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmengine.model import BaseModel
from mmengine.registry import DATASETS, MODELS
from mmengine.testing import RunnerTestCase
from torch.utils.data import Dataset

import mmext  # noqa: F401  (registers CameraHeightHook)
from tests._helpers.selfsup_toy import write_selfsup_toy_config
from tests._helpers.toy_data import REPO

# finite median 4.0; the outlier (100) and the failed frame (nan) must not move it
VALUES = [1.0, 2.0, 3.0, 100.0, math.nan, 4.0, 5.0, 6.0]


class HeightToyDataset(Dataset):
    """Each item carries one per-frame camera height (in ``inputs``)."""

    def __init__(self, values=VALUES, **kwargs):
        self.values = list(values)
        self.metainfo = {}

    def __len__(self):
        return len(self.values)

    def __getitem__(self, i):
        return dict(inputs=torch.tensor([self.values[i]]), data_samples=None)


class HeightToyModel(BaseModel):
    """Evidence = the item's value times (epoch + 1): epoch 1 -> median 4, epoch 2 -> 8."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))
        self.register_buffer('camera_height_target', torch.tensor(float('nan')))
        self.epoch = 0

    def set_epoch(self, epoch):
        self.epoch = epoch

    def forward(self, inputs, data_samples=None, mode='tensor'):
        x = torch.stack(inputs) if isinstance(inputs, list) else inputs
        x = torch.nan_to_num(x)
        if mode == 'loss':
            return dict(loss=((self.w - 1) ** 2).sum() + 0 * x.sum())
        return [dict(v=v) for v in x]

    def camera_height_evidence(self, inputs, data_samples):
        x = torch.stack(inputs) if isinstance(inputs, list) else inputs
        f = self.epoch + 1
        return [dict(camera_height=float(v) * f, road_height=float(v), scale=float(f))
                for v in x.flatten()]


class TestCameraHeightHook(RunnerTestCase):

    def setUp(self):
        super().setUp()
        MODELS.register_module(module=HeightToyModel, force=True)
        DATASETS.register_module(module=HeightToyDataset, force=True)

    def tearDown(self):
        MODELS.module_dict.pop('HeightToyModel', None)
        DATASETS.module_dict.pop('HeightToyDataset', None)
        super().tearDown()

    def _cfg(self, name, max_epochs, **hook):
        cfg = copy.deepcopy(self.epoch_based_cfg)
        cfg.model = dict(type='HeightToyModel')
        cfg.experiment_name = name
        cfg.work_dir = osp.join(self.temp_dir.name, name.split('-')[0])
        cfg.train_cfg.max_epochs = max_epochs
        cfg.train_cfg.val_interval = 100
        cfg.train_dataloader = dict(dataset=dict(type='HeightToyDataset'), batch_size=3,
                                    num_workers=0, collate_fn=dict(type='pseudo_collate'),
                                    sampler=dict(type='DefaultSampler', shuffle=True))
        loader = dict(dataset=dict(type='HeightToyDataset'), batch_size=3, num_workers=0,
                      collate_fn=dict(type='pseudo_collate'),
                      sampler=dict(type='DefaultSampler', shuffle=False, round_up=False))
        cfg.param_scheduler = []
        cfg.default_scope = 'mmext'
        cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1)
        cfg.custom_hooks = [dict(type='SetEpochInfoHook'),
                            dict(type='CameraHeightHook', dataloader=loader, **hook)]
        return cfg

    def _hook(self, runner):
        return next(h for h in runner.hooks if type(h).__name__ == 'CameraHeightHook')

    def test_median_then_moving_average(self):
        runner = self.build_runner(self._cfg('ema-a', 2, momentum=0.5, reference_height=4.0))
        runner.train()
        hist = self._hook(runner).history
        assert [h['epoch'] for h in hist] == [1, 2]
        assert [h['estimate'] for h in hist] == [4.0, 8.0]       # outlier and nan ignored
        assert [h['target'] for h in hist] == [4.0, 6.0]         # 0.5 * 4 + 0.5 * 8
        assert [h['frames_used'] for h in hist] == [7, 7] and hist[0]['frames'] == 8
        assert runner.model.camera_height_target.item() == 6.0
        with open(osp.join(runner.work_dir, 'camera_height.json')) as f:
            assert json.load(f)['history'][-1]['target'] == 6.0
        assert osp.getsize(osp.join(runner.work_dir, 'camera_height.png')) > 1000

    def test_first_epoch_and_interval(self):
        runner = self.build_runner(self._cfg('sched-a', 5, momentum=0.0, first_epoch=2,
                                             interval=2))
        runner.train()
        hist = self._hook(runner).history
        assert [h['epoch'] for h in hist] == [2, 4]
        assert [h['target'] for h in hist] == [8.0, 16.0]

    def test_resume_continues_history_and_target(self):
        full = self.build_runner(self._cfg('full-a', 3, momentum=0.5))
        full.train()
        part = self.build_runner(self._cfg('part-1', 2, momentum=0.5))
        part.train()
        resumed_cfg = self._cfg('part-2', 3, momentum=0.5)
        resumed_cfg.resume = True
        resumed_cfg.load_from = osp.join(part.work_dir, 'epoch_2.pth')
        resumed = self.build_runner(resumed_cfg)
        resumed.train()
        assert self._hook(resumed).history == self._hook(full).history
        assert [h['target'] for h in self._hook(full).history] == [4.0, 6.0, 9.0]
        assert resumed.model.camera_height_target.item() == 9.0
        ckpt = torch.load(osp.join(part.work_dir, 'epoch_2.pth'), map_location='cpu',
                          weights_only=False)
        assert ckpt['state_dict']['camera_height_target'].item() == 6.0
        assert len(ckpt['camera_height_hook']['history']) == 2

    def test_no_usable_frame_keeps_target(self):
        DATASETS.register_module(name='HeightToyDataset', force=True,
                                 module=lambda **kw: HeightToyDataset([math.nan] * 4))
        runner = self.build_runner(self._cfg('none-a', 1))
        runner.train()
        hist = self._hook(runner).history
        assert hist[0]['frames_used'] == 0 and math.isnan(hist[0]['target'])
        assert math.isnan(runner.model.camera_height_target.item())


def test_camera_height_hook_under_ddp(tmp_path, kitti_synth):
    """2 CPU ranks with uneven shares (2 + 1 frames): every rank gets the same target, made
    from all 3 frames."""
    root, _ = kitti_synth
    dump = str(tmp_path / 'ranks')
    cfg = write_selfsup_toy_config(
        str(tmp_path / 'ddp.py'), root, max_epochs=1,
        extra=("custom_imports = dict(imports=['tests._helpers.selfsup_toy'], "
               "allow_failed_imports=False)\n"
               f"custom_hooks = custom_hooks + [dict(type='CameraHeightDumpHook', "
               f"out_dir={dump!r})]\n"))
    env = dict(os.environ, PYTHON=sys.executable, PORT='29523', OMP_NUM_THREADS='1',
               PYTHONPATH=REPO)
    proc = subprocess.run(
        ['bash', osp.join(REPO, 'tools', 'dist_train.sh'), cfg, '2', '--work-dir',
         str(tmp_path / 'work')], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    ranks = [torch.load(osp.join(dump, f'rank{r}.pt'), weights_only=False) for r in (0, 1)]
    assert [r['world_size'] for r in ranks] == [2, 2]
    h0, h1 = ranks[0]['history'], ranks[1]['history']
    assert h0 == h1 and len(h0) == 1
    assert h0[0]['frames'] == 3                               # 2 + 1 frames gathered
    assert ranks[0]['target'] == ranks[1]['target']
    if h0[0]['frames_used']:
        assert ranks[0]['target'] == pytest.approx(h0[0]['target'], rel=1e-6)  # float32 buffer
    else:
        assert math.isnan(ranks[0]['target'])
