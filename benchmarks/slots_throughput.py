"""Training throughput of a slot config: MMEngine Runner vs a plain PyTorch loop.

Both loops train the same registered modules on the same dataloader settings; the ratio
``runner / plain`` (steps/s) is the framework overhead. Timings exclude the first
``--warmup`` steps. Random weights are used for the backbone when ``--random-backbone``
(throughput does not depend on the weight values; use it for ViT-S/14 without a download).

Example::

    python benchmarks/slots_throughput.py configs/slots/pixel-slots_synthetic-movi_32.py \
        --steps 30 --warmup 5
    python benchmarks/slots_throughput.py \
        configs/slots/dinosaur_dinov2-vits14_synthetic-movi_224.py --random-backbone \
        --batch-sizes 8 16 32 64 --device cuda
"""
import argparse
import copy
import json
import tempfile
import time
from typing import Dict

import torch
from mmengine.config import Config

# ViT-S/14 (DINOv2-small) architecture, random weights
VITS14 = dict(model_type='dinov2', hidden_size=384, num_hidden_layers=12,
              num_attention_heads=6, mlp_ratio=4, image_size=224, patch_size=14)


def plain_loop(cfg: Config, steps: int, warmup: int, device: str) -> float:
    """Steps/s of a hand-written loop over the same model, data and optimiser."""
    import mmext  # noqa: F401  (registers everything)
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner

    from mmext.registry import MODELS

    init_default_scope('mmext')
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(cfg.model)).to(device).train()
    loader = Runner.build_dataloader(copy.deepcopy(cfg.train_dataloader))
    opt_cfg = dict(cfg.optim_wrapper.optimizer)
    opt = getattr(torch.optim, opt_cfg.pop('type'))(
        [p for p in model.parameters() if p.requires_grad], **opt_cfg)
    it = iter(loader)
    t0 = None
    for step in range(warmup + steps):
        if step == warmup:
            if device.startswith('cuda'):
                torch.cuda.synchronize()
            t0 = time.perf_counter()
        data = model.data_preprocessor(next(it), True)
        loss = model(**data, mode='loss')['loss_recon']
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    if device.startswith('cuda'):
        torch.cuda.synchronize()
    return steps / (time.perf_counter() - t0)


def runner_loop(cfg: Config, steps: int, warmup: int) -> float:
    """Steps/s of ``Runner.train()`` (timed by a hook after ``warmup`` steps)."""
    from mmengine.hooks import Hook
    from mmengine.runner import Runner

    times: Dict[str, float] = {}

    class _Timer(Hook):
        def before_train_iter(self, runner, batch_idx, data_batch=None):
            if runner.iter == warmup:
                if torch.cuda.is_available():
                    torch.cuda.synchronize()
                times['t0'] = time.perf_counter()

        def after_train(self, runner):
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            times['t1'] = time.perf_counter()

    cfg = copy.deepcopy(cfg)
    cfg.work_dir = tempfile.mkdtemp(prefix='slots_bench_')
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


def main() -> None:
    """Command line entry point; prints one JSON line per batch size."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config')
    p.add_argument('--steps', type=int, default=30)
    p.add_argument('--warmup', type=int, default=5)
    p.add_argument('--batch-sizes', type=int, nargs='+', default=[None])
    p.add_argument('--device', default='cpu')
    p.add_argument('--random-backbone', action='store_true',
                   help='replace a pretrained HF backbone by the ViT-S/14 architecture')
    p.add_argument('--workers', type=int, default=0)
    a = p.parse_args()
    base = Config.fromfile(a.config)
    if a.random_backbone and base.model.get('backbone') is not None:
        base.model.backbone = dict(type='FrozenViTBackbone', hf_config=VITS14)
    if a.device == 'cpu':
        base.env_cfg.dist_cfg = dict(backend='gloo')
    for bs in a.batch_sizes:
        cfg = copy.deepcopy(base)
        dl = cfg.train_dataloader
        dl.num_workers, dl.persistent_workers = a.workers, a.workers > 0
        if bs is not None:
            dl.batch_size = bs
        plain = plain_loop(cfg, a.steps, a.warmup, a.device)
        run = runner_loop(cfg, a.steps, a.warmup)
        print(json.dumps(dict(config=a.config, batch_size=dl.batch_size, device=a.device,
                              plain_steps_per_s=round(plain, 3),
                              runner_steps_per_s=round(run, 3),
                              ratio_runner_over_plain=round(run / plain, 3),
                              runner_images_per_s=round(run * dl.batch_size, 2))))


if __name__ == '__main__':
    main()
