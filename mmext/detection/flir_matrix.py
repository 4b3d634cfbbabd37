"""Seed 003's FLIR version matrix: students trained on v1.3 / v2 / v1+v2, each tested on
v1.3 / v2 / v1+v2 val, one per-class table per cell (2025/11/14).

:func:`retarget_test` points a config's test set at another FLIR val set;
:func:`format_matrix` prints the cells as the log's tables plus a compact mAP_50 grid.
``tools/analysis_tools/flir_matrix.py`` runs the cells.
"""
import math
from typing import Dict, Sequence, Tuple

from mmext.detection.metrics.coco_classwise_metric import TABLE_COLUMNS, format_table

# name -> (data_root, ann_file relative to it) of the three val sets
TEST_SETS: Dict[str, Tuple[str, str]] = {
    'v1': ('data/FLIR_ADAS_1_3/val/', 'thermal_annotations.json'),
    'v2': ('data/FLIR_ADAS_v2/images_thermal_val/', 'coco.json'),
    'v1+v2': ('data/', 'FLIR_v1v2/val.json'),
}


def retarget_test(cfg, data_root: str, ann_file: str) -> None:
    """Make ``cfg``'s test set (dataset and evaluator) the val set at ``data_root``."""
    ds = cfg.test_dataloader.dataset
    ds.data_root = data_root
    ds.ann_file = ann_file
    ds.data_prefix = dict(img='')
    root = data_root if data_root.endswith('/') else data_root + '/'
    evaluators = cfg.test_evaluator if isinstance(cfg.test_evaluator, list) \
        else [cfg.test_evaluator]
    for ev in evaluators:
        if 'ann_file' in ev:
            ev.ann_file = root + ann_file


def rows_from_metrics(metrics: Dict[str, float], classes: Sequence[str]) -> dict:
    """Per-class rows from CocoClasswiseMetric's flat keys (``coco/bbox_<cls>_<col>``)."""
    rows = {}
    for name in classes:
        key = name.replace(' ', '_')
        rows[name] = {c: float(metrics.get(f'coco/bbox_{key}_{c}', math.nan))
                      for c in TABLE_COLUMNS}
    return rows


def format_matrix(cells: Dict[Tuple[str, str], dict]) -> str:
    """Markdown: one table per ``(train, test)`` cell, then the mAP_50 grid per class."""
    out = []
    for (train, test), rows in cells.items():
        out.append(f'### {train} -> {test}\n')
        out.append(format_table(rows, 'markdown'))
    trains = list(dict.fromkeys(t for t, _ in cells))
    tests = list(dict.fromkeys(t for _, t in cells))
    classes = list(dict.fromkeys(c for rows in cells.values() for c in rows))
    out.append('### mAP_50 (rows: trained on, columns: tested on)\n')
    header = '| train \\ test | ' + ' | '.join(f'{t} {c}' for t in tests for c in classes)
    lines = [header + ' |', '|' + '---|' * (1 + len(tests) * len(classes))]
    for tr in trains:
        vals = []
        for te in tests:
            for c in classes:
                v = cells.get((tr, te), {}).get(c, {}).get('mAP_50', math.nan)
                vals.append('nan' if math.isnan(v) else f'{v:.3f}')
        lines.append(f'| {tr} | ' + ' | '.join(vals) + ' |')
    out.append('\n'.join(lines) + '\n')
    return '\n'.join(out)
