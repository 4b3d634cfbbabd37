"""Optuna hyper-parameter search over an mmext config (see docs/hpo.md).

Each trial trains through the same runner path as tools/train.py in
``<work-dir>/trial_<n>``; re-running the same command resumes the study; start the command
several times (or on several machines with one --storage URL) to run workers in parallel.

Example:
    python tools/optuna_search.py configs/thermal/yolox_cpu_synthflir_8e.py \
        --space configs/_search_/thermal_yolox.py --n-trials 20 \
        --work-dir work_dirs/hpo_thermal
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import DictAction  # noqa: E402

import mmext  # noqa: E402,F401  (applies compat workarounds, registers modules)
from mmext.apis import run_cli  # noqa: E402
from mmext.hpo import SearchSettings, run_search  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Optuna hyper-parameter search over an mmext config')
    parser.add_argument('config', help='config file to tune')
    parser.add_argument('--space', required=True,
                        help='search-space file (Python; see configs/_search_/)')
    parser.add_argument('--n-trials', type=int, default=20,
                        help='run until the study holds this many trials, counting earlier '
                        'runs and other workers (interrupted trials do not count); '
                        'default 20')
    parser.add_argument('--timeout', type=float,
                        help='stop starting new trials after this many seconds')
    parser.add_argument('--storage',
                        help='study storage: an RDB URL (sqlite:///..., postgresql://...), '
                        'journal:///path/file.log or a .log path; default '
                        'sqlite:///<work-dir>/study.db')
    parser.add_argument('--study-name',
                        help='default: <config name>__<space name>')
    parser.add_argument('--metric',
                        help='validation metric key to optimise (default: the space '
                        "file's metric)")
    parser.add_argument('--direction', choices=['maximize', 'minimize'],
                        help="default: the space file's direction, else maximize")
    parser.add_argument('--sampler', default='tpe',
                        help='tpe | random | qmc | gp | cmaes, optionally NAME:key=value,... '
                        '(default tpe)')
    parser.add_argument('--pruner', default='median',
                        help='median | percentile | hyperband | sha | patient | threshold | '
                        'none, optionally NAME:key=value,... (default median)')
    parser.add_argument('--seed', type=int, help='sampler seed')
    parser.add_argument('--work-dir',
                        help='where the study, trial_<n>/ folders and outputs go; default '
                        'work_dirs/<config name>_optuna')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='fixed overrides for every trial, key=value (xxx.yyy=zzz)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher (each trial trains with DDP)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main(argv=None) -> None:
    """Entry point."""
    args = parse_args(argv)
    settings = SearchSettings(
        config=args.config, space=args.space, n_trials=args.n_trials, timeout=args.timeout,
        storage=args.storage, study_name=args.study_name, metric=args.metric,
        direction=args.direction, sampler=args.sampler, pruner=args.pruner, seed=args.seed,
        work_dir=args.work_dir, launcher=args.launcher,
        cfg_options=dict(args.cfg_options or {}))
    try:
        run_search(settings)
    except KeyboardInterrupt:
        print('\ninterrupted: the running trial is marked FAIL (interrupted); re-run the same '
              'command to resume the study', file=sys.stderr)
        sys.exit(130)


if __name__ == '__main__':
    run_cli(main)
