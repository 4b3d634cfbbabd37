"""Print per-class COCO tables of several runs side by side (from --table-out CSV files).

Example:
    python tools/analysis_tools/compare_det_tables.py \
        "GT=work_dirs/demo_thermal/per_class_map.csv" \
        "pseudo=work_dirs/demo_pseudo_otsu/per_class_map.csv" --columns mAP mAP_50
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmext.detection.metrics.coco_classwise_metric import read_table_csv  # noqa: E402


def side_by_side(tables: dict, columns) -> str:
    """Markdown table: one row per class, one column per (run, metric)."""
    classes = list(next(iter(tables.values())))
    header = ['class'] + [f'{run} {col}' for run in tables for col in columns]
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    for cls in classes:
        cells = [cls] + [f'{tables[run].get(cls, {}).get(col, float("nan")):.4f}'
                         for run in tables for col in columns]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def main(argv=None) -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('runs', nargs='+', help='NAME=path/to/table.csv')
    parser.add_argument('--columns', nargs='+', default=['mAP', 'mAP_50'])
    args = parser.parse_args(argv)
    tables = {}
    for item in args.runs:
        name, _, path = item.partition('=')
        if not path or not osp.isfile(path):
            sys.exit(f'error: expected NAME=existing.csv, got {item!r}')
        tables[name] = read_table_csv(path)
    print(side_by_side(tables, args.columns))


if __name__ == '__main__':
    main()
