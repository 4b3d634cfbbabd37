"""Training throughput of a self-supervised depth config: MMEngine Runner vs a plain
PyTorch loop over the same registered modules (ratio = framework overhead).

Example::

    python benchmarks/selfsup_throughput.py configs/selfsup/fumet_r18c16_synthkitti_256x96_cpu.py \
        --steps 20 --warmup 3
"""
import argparse
import copy
import json
import os.path as osp
import sys

from mmengine.config import Config

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _throughput import plain_loop, runner_loop  # noqa: E402


def main() -> None:
    """Command line entry point; prints one JSON line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config')
    p.add_argument('--steps', type=int, default=20)
    p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--batch-size', type=int, default=None)
    p.add_argument('--device', default='cpu')
    p.add_argument('--workers', type=int, default=0)
    a = p.parse_args()
    cfg = Config.fromfile(a.config)
    if a.device == 'cpu':
        cfg.env_cfg.dist_cfg = dict(backend='gloo')
    # the camera-height pass after each epoch is not a training step
    cfg.custom_hooks = [h for h in cfg.get('custom_hooks', [])
                        if h['type'] != 'CameraHeightHook']
    dl = cfg.train_dataloader
    dl.num_workers, dl.persistent_workers = a.workers, a.workers > 0
    if a.batch_size:
        dl.batch_size = a.batch_size
    plain = plain_loop(copy.deepcopy(cfg), a.steps, a.warmup, a.device)
    run = runner_loop(copy.deepcopy(cfg), a.steps, a.warmup)
    print(json.dumps(dict(config=a.config, batch_size=dl.batch_size, device=a.device,
                          plain_steps_per_s=round(plain, 3), runner_steps_per_s=round(run, 3),
                          ratio_runner_over_plain=round(run / plain, 3))))


if __name__ == '__main__':
    main()
