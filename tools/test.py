"""Test (evaluate) a checkpoint with an mmext config (arguments as in mmdet's tools/test.py).

Example:
    python tools/test.py CONFIG work_dirs/demo/epoch_30.pth --table-out work_dirs/demo/per_class.md
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import mmext  # noqa: E402,F401  (applies compat workarounds, registers modules)
from mmext.apis import (build_runner, check_config_inputs, configure_test,  # noqa: E402
                        load_config, run_cli)
from mmext.apis.cli import add_runner_args, parse_with_local_rank  # noqa: E402

WORK_DIR_HELP = 'the directory to save the evaluation metrics'


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line (mmdet-compatible, plus ``--table-out``)."""
    parser = argparse.ArgumentParser(description='Test (and evaluate) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='dump predictions to a pickle file (.pkl)')
    parser.add_argument('--show-dir', help='directory where painted images are saved')
    parser.add_argument('--table-out',
                        help='write the per-class metric table to this .csv or .md file '
                        '(metrics that produce tables, e.g. CocoClasswiseMetric)')
    add_runner_args(parser, WORK_DIR_HELP)
    return parse_with_local_rank(parser, argv)


def main(argv=None) -> None:
    """Entry point."""
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    configure_test(cfg, args.config, args.checkpoint, work_dir=args.work_dir, out=args.out,
                   show_dir=args.show_dir, launcher=args.launcher)
    if args.table_out:
        set_table_out(cfg, args.table_out)
    check_config_inputs(cfg, splits=('test', ))
    runner = build_runner(cfg)
    runner.test()


def set_table_out(cfg, path: str) -> None:
    """Point every table-producing test metric at ``path``."""
    evaluator = cfg.test_evaluator
    metrics = evaluator if isinstance(evaluator, (list, tuple)) else [evaluator]
    for metric in metrics:
        if 'Classwise' in str(metric.get('type', '')):
            metric['table_out'] = path


if __name__ == '__main__':
    run_cli(main)
