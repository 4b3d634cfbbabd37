"""Train (and optionally test) one config over several seeds, one process per seed.

Seed s runs ``tools/train.py CONFIG --work-dir WORK_DIR/seed<s> --cfg-options
randomness.seed=s ...``, sequentially; ``{seed}`` in a --cfg-options value becomes s. With
--test each seed's last checkpoint is then evaluated by tools/test.py (per-class table in
``WORK_DIR/seed<s>/<--table-out>``). Gather the results with
tools/analysis_tools/collect_results.py.

Example:
    python tools/train_seeds.py configs/thermal/yolox_cpu_synthflir_8e.py --seeds 0 1 2 \
        --work-dir work_dirs/demo_thermal --resume --test --table-out per_class_map.csv
    python tools/analysis_tools/collect_results.py "GT=work_dirs/demo_thermal/seed*" \
        --table per_class_map.csv --columns mAP mAP_50 mAP_75
"""
import argparse
import os.path as osp
import subprocess
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmext.apis import run_cli  # noqa: E402
from mmext.apis.seeds import (last_checkpoint, seed_work_dir, test_command,  # noqa: E402
                              train_command)
from mmext.utils.errors import UserInputError  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--seeds', type=int, nargs='+', required=True)
    parser.add_argument('--work-dir', required=True,
                        help='parent folder; seed s runs in WORK_DIR/seed<s>')
    parser.add_argument('--resume', action='store_true',
                        help='resume each seed from its latest checkpoint (re-uses finished '
                        'seeds)')
    parser.add_argument('--test', action='store_true',
                        help='evaluate each seed\'s last checkpoint with tools/test.py')
    parser.add_argument('--table-out', help='with --test: per-class table file name, '
                        'written inside each seed\'s work dir')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='key=value overrides for every seed ({seed} = the seed)')
    parser.add_argument('--dry-run', action='store_true', help='print the commands only')
    args = parser.parse_args(argv)
    if len(set(args.seeds)) != len(args.seeds):
        parser.error(f'--seeds repeats a seed: {args.seeds}')
    if args.table_out and not args.test:
        parser.error('--table-out needs --test')
    return args


def _run(cmd, dry_run: bool) -> None:
    print('+ ' + ' '.join(cmd), flush=True)
    if dry_run:
        return
    rc = subprocess.call(cmd)
    if rc != 0:
        sys.exit(rc)


def main(argv=None) -> None:
    """Entry point."""
    args = parse_args(argv)
    if not osp.isfile(args.config):
        raise UserInputError(f'config file not found: {args.config!r}')
    for seed in args.seeds:
        _run(train_command(args.config, seed, args.work_dir, args.cfg_options, args.resume),
             args.dry_run)
        if args.test:
            wd = seed_work_dir(args.work_dir, seed)
            ckpt = '<last_checkpoint>' if args.dry_run else last_checkpoint(wd)
            _run(test_command(args.config, seed, args.work_dir, ckpt, args.cfg_options,
                              args.table_out), args.dry_run)


if __name__ == '__main__':
    run_cli(main)
