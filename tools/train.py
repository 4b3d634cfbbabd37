"""Train a model from an mmext config (arguments as in mmdet's tools/train.py).

Example:
    python tools/train.py configs/thermal/yolox_cpu_synthflir_8e.py --work-dir work_dirs/demo
    bash tools/dist_train.sh CONFIG 2            # two processes (torchrun)
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import mmext  # noqa: E402,F401  (applies compat workarounds, registers modules)
from mmext.apis import (build_runner, check_config_inputs, configure_train,  # noqa: E402
                        load_config, prepare_experiment, run_cli)
from mmext.apis.cli import add_runner_args, parse_with_local_rank  # noqa: E402

WORK_DIR_HELP = 'the dir to save logs and models'


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line (mmdet-compatible)."""
    parser = argparse.ArgumentParser(description='Train a model with an mmext config')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--amp', action='store_true', default=False,
                        help='enable automatic-mixed-precision training')
    parser.add_argument('--amp-dtype', choices=['float16', 'bfloat16'], default=None,
                        help='half-precision type of --amp (default float16; bfloat16 on '
                        'A100/H100)')
    parser.add_argument('--resume', nargs='?', type=str, const='auto',
                        help='resume from the given checkpoint, or from the latest '
                        'checkpoint in the work dir when no path is given')
    add_runner_args(parser, WORK_DIR_HELP)
    return parse_with_local_rank(parser, argv)


def main(argv=None) -> None:
    """Entry point."""
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    configure_train(cfg, args.config, work_dir=args.work_dir, amp=args.amp,
                    resume=args.resume, launcher=args.launcher, amp_dtype=args.amp_dtype)
    prepare_experiment(cfg)  # e.g. generate pseudo-labels (cached in the work dir)
    check_config_inputs(cfg, splits=('train', 'val') if cfg.get('val_cfg') else ('train', ))
    runner = build_runner(cfg)
    runner.train()


if __name__ == '__main__':
    run_cli(main)
