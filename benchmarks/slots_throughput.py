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
import os.path as osp
import sys

from mmengine.config import Config

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _throughput import plain_loop, runner_loop  # noqa: E402

# ViT-S/14 (DINOv2-small) architecture, random weights
VITS14 = dict(model_type='dinov2', hidden_size=384, num_hidden_layers=12,
              num_attention_heads=6, mlp_ratio=4, image_size=224, patch_size=14)


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
