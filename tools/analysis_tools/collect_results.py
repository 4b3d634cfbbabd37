"""Gather the metrics of several runs (seeds) into mean ± std tables (Markdown and CSV).

Each positional argument is ``NAME=WORK_DIR`` (a path or a glob pattern); items with the
same NAME form one group (a method or a baseline), averaged over its runs, and groups are
printed side by side. The runs of a group must have run cards that agree on everything but
the seed (config, git commit and uncommitted changes, packages, data fingerprint, GPUs or
on CPU the CPU model, kernels and threads, world size); otherwise the tool stops and says
what differs, unless --allow-mixed.

Examples:
    # per-class COCO tables of tools/test.py --table-out, GT vs pseudo-label student
    python tools/analysis_tools/collect_results.py \
        "GT=work_dirs/demo_thermal/seed*" "pseudo=work_dirs/demo_pseudo_otsu/seed*" \
        --table per_class_map.csv --columns mAP mAP_50 mAP_75
    # scalar metrics from the run cards (last test, else last validation)
    python tools/analysis_tools/collect_results.py "teacher=work_dirs/demo_rgb_teacher/seed*" \
        --metrics coco/bbox_mAP_50
"""
import argparse
import os
import os.path as osp
import sys
from collections import OrderedDict

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmext.apis import run_cli  # noqa: E402
from mmext.engine.results import (collect, records_csv, summary_lines,  # noqa: E402
                                  table_markdown)
from mmext.utils.errors import UserInputError  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('runs', nargs='+', help='NAME=WORK_DIR or NAME=GLOB (repeat a NAME '
                        'to add runs to its group)')
    parser.add_argument('--table', action='append', default=[],
                        help='row table inside each work dir (path or glob relative to it): '
                        'CSV with the row name first, or JSON {row: {column: value}}')
    parser.add_argument('--columns', nargs='+', default=['mAP', 'mAP_50'],
                        help='columns of the --table(s) to report')
    parser.add_argument('--rows', nargs='+', help='rows of the --table(s) (default: all)')
    parser.add_argument('--metrics', nargs='+', default=[],
                        help='scalar metrics from the run cards, e.g. coco/bbox_mAP')
    parser.add_argument('--digits', type=int, default=4)
    parser.add_argument('--allow-mixed', action='store_true',
                        help='average runs whose cards differ in more than the seed')
    parser.add_argument('--md-out', help='also write the Markdown here')
    parser.add_argument('--csv-out', help='write every aggregated number here (long CSV)')
    args = parser.parse_args(argv)
    if not args.table and not args.metrics:
        parser.error('give --table and/or --metrics')
    return args


def parse_groups(items) -> 'OrderedDict[str, list]':
    """``['GT=a', 'GT=b', 'x=c*']`` -> ``{'GT': ['a', 'b'], 'x': ['c*']}``."""
    groups: 'OrderedDict[str, list]' = OrderedDict()
    for item in items:
        name, sep, path = item.partition('=')
        if not sep or not name or not path:
            raise UserInputError(f'expected NAME=WORK_DIR (or NAME=GLOB), got {item!r}')
        groups.setdefault(name, []).append(path)
    return groups


def main(argv=None) -> None:
    """Entry point."""
    args = parse_args(argv)
    coll = collect(parse_groups(args.runs), args.table, allow_mixed=args.allow_mixed)
    parts = ['\n'.join(summary_lines(coll))]
    for table in args.table:
        parts.append(f'{table}:\n\n' + table_markdown(coll, table, args.columns, args.rows,
                                                      args.digits))
    if args.metrics:
        parts.append('scalar metrics:\n\n' + table_markdown(coll, None, args.metrics,
                                                            digits=args.digits))
    text = '\n\n'.join(parts) + '\n'
    print(text, end='')
    for path, content in ((args.md_out, text), (args.csv_out, records_csv(coll))):
        if path:
            os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(content)


if __name__ == '__main__':
    run_cli(main)
