"""Run a config's pseudo-label step alone (the same step tools/train.py runs first).

Example:
    python tools/make_pseudo_labels.py configs/thermal/yolox_cpu_synthflir-pseudo-rgbgt-otsu_8e.py
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import mmext  # noqa: E402,F401
from mmext.apis import configure_train, load_config, prepare_experiment, run_cli  # noqa: E402
from mmext.apis.cli import add_runner_args, parse_with_local_rank  # noqa: E402
from mmext.utils.errors import UserInputError  # noqa: E402


def main(argv=None) -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='a config with a pseudo_labels entry')
    add_runner_args(parser, 'work dir; labels go to <work-dir>/pseudo_labels/<key>/')
    args = parse_with_local_rank(parser, argv)
    cfg = load_config(args.config, args.cfg_options)
    if not cfg.get('pseudo_labels'):
        raise UserInputError(f'{args.config} has no pseudo_labels entry')
    configure_train(cfg, args.config, work_dir=args.work_dir, launcher=args.launcher)
    print(prepare_experiment(cfg)['pseudo_labels'])


if __name__ == '__main__':
    run_cli(main)
