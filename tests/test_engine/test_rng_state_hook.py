"""RNGStateHook: a resumed toy run with random augmentation continues exactly."""
import copy
import os.path as osp

import numpy as np
import torch
from mmengine.model import BaseModel
from mmengine.registry import MODELS
from mmengine.testing import RunnerTestCase

import mmext  # noqa: F401  (registers RNGStateHook)


class NoisyToyModel(BaseModel):
    """A linear model whose training input gets torch *and* numpy noise (like augmentation)."""

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        x = torch.stack(inputs) if isinstance(inputs, list) else inputs
        y = torch.stack(data_samples) if isinstance(data_samples, list) else data_samples
        if mode == 'loss':
            x = x + 0.1 * torch.randn_like(x) + torch.from_numpy(
                np.random.normal(0, 0.1, x.shape).astype(np.float32))
            return dict(loss=((self.linear(x).squeeze(-1) - y.float())**2).mean())
        return self.linear(x)


class TestRNGStateHook(RunnerTestCase):

    def setUp(self):
        super().setUp()
        MODELS.register_module(module=NoisyToyModel, force=True)

    def tearDown(self):
        MODELS.module_dict.pop('NoisyToyModel', None)
        super().tearDown()

    def _cfg(self, name, max_epochs, with_hook):
        cfg = copy.deepcopy(self.epoch_based_cfg)
        cfg.model = dict(type='NoisyToyModel')
        cfg.experiment_name = name
        cfg.work_dir = osp.join(self.temp_dir.name, name.split('-')[0])
        cfg.train_cfg.max_epochs = max_epochs
        cfg.train_cfg.val_interval = 100
        cfg.train_dataloader.num_workers = 0
        cfg.param_scheduler = []
        cfg.randomness = dict(seed=1)
        cfg.default_scope = 'mmext'
        cfg.custom_hooks = [dict(type='RNGStateHook')] if with_hook else []
        return cfg

    def _final_weight(self, with_hook, tag):
        full = self.build_runner(self._cfg(f'full{tag}-a', 2, with_hook))
        full.train()
        w_full = full.model.linear.weight.detach().clone()
        first = self._cfg(f'part{tag}-1', 1, with_hook)
        self.build_runner(first).train()
        resumed = self._cfg(f'part{tag}-2', 2, with_hook)
        resumed.resume = True
        resumed.load_from = osp.join(first.work_dir, 'epoch_1.pth')
        runner = self.build_runner(resumed)
        runner.train()
        return w_full, runner.model.linear.weight.detach().clone()

    def test_resume_is_exact_with_hook(self):
        w_full, w_resumed = self._final_weight(with_hook=True, tag='h')
        self.assertTrue(torch.equal(w_full, w_resumed))

    def test_resume_differs_without_hook(self):
        # documents why the hook exists: mmengine re-seeds on resume
        w_full, w_resumed = self._final_weight(with_hook=False, tag='n')
        self.assertFalse(torch.equal(w_full, w_resumed))
