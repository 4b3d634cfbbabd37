"""Label-quality reports for thermal (pseudo-)labels.

Subcommands:
    audit   PRED GT        precision / recall / mean IoU per class of PRED against GT (frames
                           matched by file name; a GT subset audits those frames only)
    stats   NAME=FILE ...  boxes per class, images, boxes per image, small/medium/large,
                           one row per (file, class): GT and pseudo-labels side by side
    scores  PSEUDO_DIR     per-class histogram of the teacher scores before the threshold
                           (a pseudo-label output folder: score_histogram.json), --png to plot

Examples:
    python tools/analysis_tools/label_quality.py audit \
        work_dirs/x/pseudo_labels/<key>/pseudo_coco.json \
        data/FLIR_ADAS_1_3/train/thermal_annotations.json
    python tools/analysis_tools/label_quality.py stats \
        gt=data/FLIR_ADAS_1_3/train/thermal_annotations.json \
        pseudo=work_dirs/x/pseudo_labels/<key>/pseudo_coco.json --classes person car
    python tools/analysis_tools/label_quality.py scores work_dirs/x/pseudo_labels/<key> --png s.png
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmext.apis import run_cli  # noqa: E402
from mmext.utils.errors import UserInputError, missing_path_message  # noqa: E402


def _scores(folder: str, png: str = None) -> str:
    path = osp.join(folder, 'score_histogram.json')
    if not osp.isfile(path):
        raise UserInputError(missing_path_message(
            'score histogram (score_histogram.json of a pseudo-label output folder)', path))
    with open(path, encoding='utf-8') as f:
        data = json.load(f)
    bins, thr = data['bins'], data['score_thr']
    lines = [f'teacher scores before the threshold (score_thr={thr}):']
    for c, counts in data['counts'].items():
        top = max(max(counts), 1)
        lines.append(f'{c}: {sum(counts)} boxes, '
                     f'{sum(n for n, lo in zip(counts, bins) if lo >= thr)} kept')
        for lo, hi, n in zip(bins[:-1], bins[1:], counts):
            lines.append(f'  [{lo:.2f}, {hi:.2f}) {n:7d} ' + '#' * round(40 * n / top))
    if png:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(7, 4))
        for c, counts in data['counts'].items():
            ax.stairs(counts, bins, label=c)
        ax.axvline(thr, color='k', ls='--', label=f'score_thr {thr}')
        ax.set_xlabel('teacher score')
        ax.set_ylabel('boxes')
        ax.legend()
        fig.tight_layout()
        fig.savefig(png, dpi=120)
        lines.append(f'plot -> {png}')
    return '\n'.join(lines)


def main(argv=None) -> None:
    """Entry point."""
    from mmext.detection.pseudo_labels.quality import (audit, dataset_statistics, format_rows,
                                                       load_coco)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='cmd', required=True)
    a = sub.add_parser('audit')
    a.add_argument('pred')
    a.add_argument('gt')
    a.add_argument('--iou', type=float, default=0.5)
    a.add_argument('--classes', nargs='+')
    s = sub.add_parser('stats')
    s.add_argument('files', nargs='+', metavar='NAME=FILE')
    s.add_argument('--classes', nargs='+')
    c = sub.add_parser('scores')
    c.add_argument('folder')
    c.add_argument('--png')
    args = parser.parse_args(argv)
    if args.cmd == 'audit':
        res = audit(load_coco(args.pred, 'pseudo-label file'), load_coco(args.gt, 'GT file'),
                    args.classes, args.iou)
        print(f'frames audited: {res["_images"]}')
        print(format_rows({'pred': res}, ('pred', 'gt', 'tp', 'precision', 'recall',
                                          'mean_iou')))
    elif args.cmd == 'stats':
        tables = {}
        for item in args.files:
            name, _, path = item.rpartition('=')
            tables[name or osp.basename(path)] = dataset_statistics(load_coco(path),
                                                                    args.classes)
        print(format_rows(tables, ('boxes', 'images', 'per_image', 'small', 'medium',
                                   'large')))
    else:
        print(_scores(args.folder, args.png))


if __name__ == '__main__':
    run_cli(main)
