"""Slot-count sweep: train and test a slot config once per number of slots.

Writes <work-dir>/slots_<K>/ (logs, checkpoints, diagnostics plots) for every K and a table
<work-dir>/sweep.md / sweep.csv with the test metrics and the last collapse diagnostics.

Example (CPU, synthetic videos, a few minutes per K):
    python tools/analysis_tools/slots_sweep.py \
        configs/slots/dinosaur-attnmask_tiny-random_synthetic-movi_64.py \
        --num-slots 3 5 7 --max-iters 300 --work-dir work_dirs/slot_sweep
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmext.apis.runner import load_config, run_cli  # noqa: E402
from mmext.slots.sweep import run_sweep, write_sweep_table  # noqa: E402
from mmext.utils.errors import UserInputError  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config', help='a configs/slots/*.py config')
    p.add_argument('--num-slots', type=int, nargs='+', required=True, help='slot counts K')
    p.add_argument('--work-dir', default='work_dirs/slot_sweep')
    p.add_argument('--max-iters', type=int, default=None,
                   help='override train_cfg.max_iters (validation at the end)')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if any(k < 1 for k in args.num_slots):
        raise UserInputError(f'--num-slots must be >= 1, got {args.num_slots}')
    cfg = load_config(args.config)
    if 'num_slots' not in cfg.model.get('encoder', {}):
        raise UserInputError(f'{args.config}: model.encoder.num_slots not found; the sweep '
                             'needs a slot model config (configs/slots/)')
    rows = run_sweep(cfg, args.num_slots, args.work_dir, args.max_iters)
    for path in write_sweep_table(rows, args.work_dir):
        print(f'wrote {path}')


if __name__ == '__main__':
    run_cli(main)
