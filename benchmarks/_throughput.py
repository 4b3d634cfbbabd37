"""Shared by the families' throughput benchmarks: steps/s of the MMEngine Runner and of a
hand-written PyTorch loop over the same registered modules, data and optimiser."""
import copy
import tempfile
import time
from typing import Dict

import torch
from mmengine.config import Config


def _sync(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def plain_loop(cfg: Config, steps: int, warmup: int, device: str) -> float:
    """Steps/s of a hand-written loop: preprocess, ``mode='loss'``, sum of the ``loss*``
    terms, backward, (clip if the config clips), step -- what ``train_step`` does."""
    import mmext  # noqa: F401  (registers everything)
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner

    from mmext.registry import MODELS

    init_default_scope('mmext')
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(cfg.model)).to(device).train()
    if hasattr(model, 'set_epoch'):
        model.set_epoch(0)
    loader = Runner.build_dataloader(copy.deepcopy(cfg.train_dataloader))
    opt_cfg = dict(cfg.optim_wrapper.optimizer)
    opt = getattr(torch.optim, opt_cfg.pop('type'))(
        [p for p in model.parameters() if p.requires_grad], **opt_cfg)
    clip = cfg.optim_wrapper.get('clip_grad')
    it = iter(loader)
    t0 = None
    for step in range(warmup + steps):
        if step == warmup:
            _sync(device)
            t0 = time.perf_counter()
        try:
            batch = next(it)
        except StopIteration:
            it = iter(loader)
            batch = next(it)
        data = model.data_preprocessor(batch, True)
        losses = model(**data, mode='loss')
        loss = sum(v for k, v in losses.items() if 'loss' in k)
        opt.zero_grad()
        loss.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), **clip)
        opt.step()
    _sync(device)
    return steps / (time.perf_counter() - t0)


def runner_loop(cfg: Config, steps: int, warmup: int) -> float:
    """Steps/s of ``Runner.train()`` (timed by a hook after ``warmup`` steps; no
    validation, checkpoints or parameter schedules)."""
    from mmengine.hooks import Hook
    from mmengine.runner import Runner

    times: Dict[str, float] = {}

    class _Timer(Hook):
        def before_train_iter(self, runner, batch_idx, data_batch=None):
            if runner.iter == warmup:
                _sync('cuda' if torch.cuda.is_available() else 'cpu')
                times['t0'] = time.perf_counter()

        def after_train(self, runner):
            _sync('cuda' if torch.cuda.is_available() else 'cpu')
            times['t1'] = time.perf_counter()

    cfg = copy.deepcopy(cfg)
    cfg.work_dir = tempfile.mkdtemp(prefix='mmext_bench_')
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=warmup + steps,
                         val_interval=10 ** 9)
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint = None
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=10 ** 6)
    runner = Runner.from_cfg(cfg)
    runner.register_hook(_Timer(), priority='VERY_LOW')
    runner.train()
    return steps / (times['t1'] - times['t0'])
