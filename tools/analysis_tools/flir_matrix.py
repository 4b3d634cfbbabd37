"""Print seed 003's FLIR train/test matrix: each trained student on each FLIR val set.

Example (after training the three configs):
    python tools/analysis_tools/flir_matrix.py \
        --run v1=configs/thermal/yolox_s_flir-v1_2cls.py,work_dirs/yolox_s_flir-v1_2cls/best.pth \
        --run v2=configs/thermal/yolox_s_flir-v2_2cls.py,work_dirs/yolox_s_flir-v2_2cls/best.pth \
        --run v1+v2=configs/thermal/yolox_s_flir-v1v2_2cls.py,work_dirs/...v1v2.../best.pth \
        --out work_dirs/flir_matrix.md
Test sets default to v1.3 val, v2 val and the merged v1+v2 val
(tools/dataset_converters/merge_flir_v1_v2.py); --test-set NAME=DATA_ROOT,ANN_FILE changes
or adds one.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import mmext  # noqa: E402,F401
from mmext.apis import (build_runner, check_config_inputs, configure_test,  # noqa: E402
                        load_config, run_cli)
from mmext.utils.errors import UserInputError  # noqa: E402


def _pairs(items, what):
    out = {}
    for item in items or []:
        if '=' not in item or ',' not in item.split('=', 1)[1]:
            raise UserInputError(f'{what} expects NAME=A,B, got {item!r}')
        name, rest = item.split('=', 1)
        out[name] = tuple(rest.split(',', 1))
    return out


def main(argv=None) -> None:
    """Entry point."""
    from mmext.detection.flir_matrix import (TEST_SETS, format_matrix, retarget_test,
                                             rows_from_metrics)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--run', action='append', required=True,
                        metavar='NAME=CONFIG,CHECKPOINT', help='a trained student')
    parser.add_argument('--test-set', action='append', metavar='NAME=DATA_ROOT,ANN_FILE')
    parser.add_argument('--only', nargs='+', help='test sets to use (default: all)')
    parser.add_argument('--work-dir', default='work_dirs/flir_matrix')
    parser.add_argument('--out', help='also write the markdown here')
    args = parser.parse_args(argv)
    runs = _pairs(args.run, '--run')
    tests = dict(TEST_SETS, **_pairs(args.test_set, '--test-set'))
    if args.only:
        unknown = set(args.only) - set(tests)
        if unknown:
            raise UserInputError(f'--only: unknown test sets {sorted(unknown)}; known '
                                 f'{sorted(tests)}')
        tests = {k: tests[k] for k in args.only}
    cells = {}
    for train, (config, ckpt) in runs.items():
        for test, (data_root, ann_file) in tests.items():
            cfg = load_config(config)
            configure_test(cfg, config, ckpt, work_dir=osp.join(
                args.work_dir, f'{train}_on_{test}'.replace('+', '')))
            retarget_test(cfg, data_root, ann_file)
            check_config_inputs(cfg, splits=('test', ))
            metrics = build_runner(cfg).test()
            classes = cfg.test_dataloader.dataset.metainfo['classes']
            cells[(train, test)] = rows_from_metrics(metrics, classes)
    text = format_matrix(cells)
    print(text)
    if args.out:
        with open(args.out, 'w', encoding='utf-8') as f:
            f.write(text)


if __name__ == '__main__':
    run_cli(main)
