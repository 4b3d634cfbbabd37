"""Train a model from an mmext config (arguments as in mmdet's tools/train.py).

Example:
    python tools/train.py configs/thermal/yolox_tiny_synthflir_30e.py --work-dir work_dirs/demo
    bash tools/dist_train.sh CONFIG 2            # two processes (torchrun)
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import DictAction  # noqa: E402

import mmext  # noqa: E402,F401  (applies compat workarounds, registers modules)
from mmext.apis import (build_runner, check_config_inputs, configure_train,  # noqa: E402
                        load_config, run_cli)


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line (mmdet-compatible)."""
    parser = argparse.ArgumentParser(description='Train a model with an mmext config')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument('--amp', action='store_true', default=False,
                        help='enable automatic-mixed-precision training')
    parser.add_argument('--resume', nargs='?', type=str, const='auto',
                        help='resume from the given checkpoint, or from the latest '
                        'checkpoint in the work dir when no path is given')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value (xxx.yyy=zzz)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main(argv=None) -> None:
    """Entry point."""
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    configure_train(cfg, args.config, work_dir=args.work_dir, amp=args.amp,
                    resume=args.resume, launcher=args.launcher)
    check_config_inputs(cfg, splits=('train', 'val') if cfg.get('val_cfg') else ('train', ))
    runner = build_runner(cfg)
    runner.train()


if __name__ == '__main__':
    run_cli(main)
