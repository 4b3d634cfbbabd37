"""Test-only toy regression task for the optuna search tests (a trial trains in ~1 s).

Imported by test configs through ``custom_imports=dict(imports=['tests._helpers.hpo_toy'])``.
The task: learn ``y = x . w*`` (4 features) with a linear model; the validation metric
``toy/neg_mse`` is the negative mean squared error (higher is better), so a good learning
rate reaches ~0 within one epoch and a tiny one stays at the initial error.
"""
import os
import os.path as osp
from typing import Optional

import torch
from mmengine.evaluator import BaseMetric
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from torch.utils.data import Dataset

from mmext.registry import DATASETS, HOOKS, METRICS, MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
W_STAR = torch.tensor([1.5, -2.0, 0.5, 1.0])


@DATASETS.register_module()
class HpoToyDataset(Dataset):
    """``n`` samples ``x ~ N(0, 1)``, ``y = x . w*`` (fixed by ``seed``)."""

    def __init__(self, n: int = 32, seed: int = 0) -> None:
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randn(n, 4, generator=g)
        self.y = self.x @ W_STAR

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, idx: int) -> dict:
        return dict(inputs=self.x[idx], target=self.y[idx])


@MODELS.register_module()
class HpoToyModel(BaseModel):
    """A linear model; ``explode=True`` makes the forward pass raise (a crashing trial)."""

    def __init__(self, explode: bool = False, hidden: int = 0) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(4, 1)
        torch.nn.init.zeros_(self.linear.weight)
        torch.nn.init.zeros_(self.linear.bias)
        self.explode = explode
        self.hidden = hidden

    def forward(self, inputs, target=None, mode: str = 'tensor'):
        """``loss``: MSE dict; ``predict``: per-sample dicts; ``tensor``: predictions."""
        if self.explode:
            raise RuntimeError('toy model exploded (deliberate crash for the FAIL test)')
        pred = self.linear(inputs).squeeze(-1)
        if mode == 'loss':
            return dict(loss=((pred - target)**2).mean())
        if mode == 'predict':
            return [dict(pred=float(p), target=float(t)) for p, t in zip(pred, target)]
        return pred


@METRICS.register_module()
class HpoToyMetric(BaseMetric):
    """``toy/neg_mse``: negative mean squared error of the predictions."""

    default_prefix = 'toy'

    def process(self, data_batch, data_samples) -> None:
        """Collect the per-sample predictions."""
        self.results.extend(data_samples)

    def compute_metrics(self, results) -> dict:
        """Return ``{'neg_mse': -mean((pred - target)^2)}``."""
        err = [(r['pred'] - r['target'])**2 for r in results]
        return dict(neg_mse=-sum(err) / len(err))


@HOOKS.register_module()
class HpoToyInterruptHook(Hook):
    """Simulate Ctrl-C: raise ``KeyboardInterrupt`` once, in the trial ``trial_dir_name``.

    A marker file records that it fired, so the re-run after the "interrupt" is unaffected.
    """

    def __init__(self, trial_dir_name: str, marker: str) -> None:
        self.trial_dir_name = trial_dir_name
        self.marker = marker

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        """Raise KeyboardInterrupt on the first iteration of the chosen trial."""
        if osp.basename(runner.work_dir.rstrip('/')) == self.trial_dir_name and \
                not osp.exists(self.marker):
            with open(self.marker, 'w') as f:
                f.write(str(os.getpid()))
            raise KeyboardInterrupt


@HOOKS.register_module()
class HpoToyRankHook(Hook):
    """After training, write ``rank<r>.pt`` with this rank's world size and iteration count."""

    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir
        self.iters = 0

    def before_run(self, runner) -> None:
        """Reset the count (one hook object per trial)."""
        self.iters = 0

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        """Count an iteration."""
        self.iters += 1

    def after_run(self, runner) -> None:
        """Save the record."""
        from mmengine.dist import get_rank, get_world_size
        os.makedirs(self.out_dir, exist_ok=True)
        torch.save(dict(rank=get_rank(), world_size=get_world_size(), iters=self.iters,
                        work_dir=runner.work_dir),
                   osp.join(self.out_dir, f'rank{get_rank()}.pt'))


def write_toy_config(path: str, max_epochs: int = 2, lr: float = 0.1,
                     ckpt_interval: int = 100, extra: str = '') -> str:
    """Write a tiny config training :class:`HpoToyModel` (2 iterations per epoch).

    Checkpoints are saved every ``ckpt_interval`` epochs and after the last one.
    """
    text = f"""
custom_imports = dict(imports=['tests._helpers.hpo_toy'], allow_failed_imports=False)
default_scope = 'mmext'
model = dict(type='HpoToyModel', explode=False)
train_dataloader = dict(batch_size=16, num_workers=0,
                        sampler=dict(type='DefaultSampler', shuffle=True),
                        collate_fn=dict(type='default_collate'),
                        dataset=dict(type='HpoToyDataset', n=32, seed=0))
val_dataloader = dict(batch_size=16, num_workers=0,
                      sampler=dict(type='DefaultSampler', shuffle=False),
                      collate_fn=dict(type='default_collate'),
                      dataset=dict(type='HpoToyDataset', n=16, seed=1))
val_evaluator = dict(type='HpoToyMetric')
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs={max_epochs}, val_interval=1)
val_cfg = dict(type='ValLoop')
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr={lr}))
default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=1),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval={ckpt_interval}))
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
log_level = 'WARNING'
randomness = dict(seed=0)
{extra}
"""
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path


def write_toy_space(path: str, extra_entries: str = '', metric: Optional[str] = 'toy/neg_mse'
                    ) -> str:
    """Write a search space over the toy config's learning rate (plus ``extra_entries``)."""
    text = f"""
space = {{
    'optim_wrapper.optimizer.lr': dict(type='float', low=1e-6, high=0.3, log=True),
{extra_entries}
}}
metric = {metric!r}
direction = 'maximize'
"""
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path


@HOOKS.register_module()
class HpoToyHangHook(Hook):
    """Simulate a worker that gets ``kill -9``: in trial ``trial_dir_name`` write ``marker``
    and then wait (the test kills the process). Does nothing once the marker exists."""

    def __init__(self, trial_dir_name: str, marker: str) -> None:
        self.trial_dir_name = trial_dir_name
        self.marker = marker

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        """Block on the first iteration of the chosen trial until killed."""
        import time
        if osp.basename(runner.work_dir.rstrip('/')) == self.trial_dir_name and \
                not osp.exists(self.marker):
            with open(self.marker, 'w') as f:
                f.write(str(os.getpid()))
            time.sleep(600)
