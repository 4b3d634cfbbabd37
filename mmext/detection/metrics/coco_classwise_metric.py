"""COCO box evaluation with a per-class table (mAP, mAP50, mAP75, small/medium/large).

The numbers are pycocotools' own: ``COCOeval(gt, dt, 'bbox')`` with pycocotools' default
parameters (max 100 detections per image, unlike mmdet's CocoMetric which evaluates at
``proposal_nums[-1]`` = 1000), over the dataset's classes. A per-class row is read from the
same accumulated precision array that ``summarize()`` averages, restricted to one class,
which is what pycocotools gives when evaluated with ``params.catIds=[that class]``.

``backend='faster_coco_eval'`` computes the same arrays with faster-coco-eval's C++
``COCOeval_faster`` (same parameters, identical values; several times faster on a
FLIR-sized val set). pycocotools stays the default and the reference of the tests.
"""
import copy
import csv
import math
import os
import os.path as osp
import tempfile
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmdet.datasets.api_wrappers import COCO
from mmdet.evaluation.metrics import CocoMetric
from mmengine.fileio import load
from mmengine.logging import MMLogger
from pycocotools.cocoeval import COCOeval

from mmext.registry import METRICS

BACKENDS = ('pycocotools', 'faster_coco_eval')
TABLE_COLUMNS = ('mAP', 'mAP_50', 'mAP_75', 'mAP_s', 'mAP_m', 'mAP_l')
# (iou threshold index or None for all, area range index) per column, for
# COCOeval.eval['precision'] of shape (T iou, R recall, K class, A area, M maxdets).
_COLUMN_SLICES = {'mAP': (None, 0), 'mAP_50': (0, 0), 'mAP_75': (5, 0),
                  'mAP_s': (None, 1), 'mAP_m': (None, 2), 'mAP_l': (None, 3)}


def per_class_ap(precision: np.ndarray, class_index: int) -> Dict[str, float]:
    """Per-class AP values from ``COCOeval.eval['precision']`` at the last maxDets.

    Entries equal to -1 (no GT of that class/area) are ignored; NaN when none remain,
    matching pycocotools' ``-1`` for an empty average.
    """
    row = {}
    for col, (iou_idx, area_idx) in _COLUMN_SLICES.items():
        p = precision[:, :, class_index, area_idx, -1]
        if iou_idx is not None:
            p = p[iou_idx]
        p = p[p > -1]
        row[col] = float(np.mean(p)) if p.size else float('nan')
    return row


def format_table(rows: Dict[str, Dict[str, float]], fmt: str = 'text') -> str:
    """Format ``{class: {column: value}}`` as an aligned text, Markdown or CSV table."""
    header = ['class', *TABLE_COLUMNS]
    body = [[name] + [_fmt(vals[c]) for c in TABLE_COLUMNS] for name, vals in rows.items()]
    if fmt == 'csv':
        lines = [','.join(header)] + [','.join(r) for r in body]
        return '\n'.join(lines) + '\n'
    if fmt == 'markdown':
        lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
        lines += ['| ' + ' | '.join(r) + ' |' for r in body]
        return '\n'.join(lines) + '\n'
    widths = [max(len(r[i]) for r in [header] + body) for i in range(len(header))]
    lines = ['  '.join(v.ljust(w) for v, w in zip(r, widths)) for r in [header] + body]
    return '\n'.join(lines)


def _fmt(value: float) -> str:
    return 'nan' if math.isnan(value) else f'{value:.4f}'


@METRICS.register_module()
class CocoClasswiseMetric(CocoMetric):
    """COCO bbox metric that prints (and optionally writes) a per-class table.

    Args:
        table_out: optional ``.csv`` or ``.md`` path; the table (per class plus an ``all``
            row) is written there after each evaluation. ``tools/test.py --table-out`` sets it.
        backend: ``'pycocotools'`` (default, the reference) or ``'faster_coco_eval'``
            (``pip install faster-coco-eval``; identical numbers, faster).
        **kwargs: as mmdet's :class:`~mmdet.evaluation.CocoMetric` (``ann_file``,
            ``outfile_prefix``, ``format_only``, ...). Only ``metric='bbox'`` is supported.

    Returned keys: ``bbox_mAP``, ``bbox_mAP_50``, ... (all classes, unrounded) and
    ``bbox_<class>_mAP``, ``bbox_<class>_mAP_50``, ... for every class.
    """

    def __init__(self, table_out: Optional[str] = None, backend: str = 'pycocotools',
                 **kwargs) -> None:
        if backend not in BACKENDS:
            raise ValueError(f'CocoClasswiseMetric backend must be one of {BACKENDS}, '
                             f'got {backend!r}')
        if backend == 'faster_coco_eval':
            try:
                import faster_coco_eval  # noqa: F401
            except ImportError:
                raise ImportError("CocoClasswiseMetric(backend='faster_coco_eval') needs the "
                                  'faster-coco-eval package: pip install '
                                  'faster-coco-eval==1.8.0') from None
        self.backend = backend
        kwargs.setdefault('metric', 'bbox')
        super().__init__(**kwargs)
        if self.metrics != ['bbox']:
            raise ValueError(f'CocoClasswiseMetric supports metric="bbox" only, '
                             f'got {self.metrics}')
        self.table_out = table_out
        self.last_table: Optional[Dict[str, Dict[str, float]]] = None

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Evaluate with pycocotools and build the per-class table."""
        logger = MMLogger.get_current_instance()
        gts, preds = zip(*results)
        tmp_dir = tempfile.TemporaryDirectory()
        prefix = self.outfile_prefix or osp.join(tmp_dir.name, 'results')
        try:
            if self._coco_api is None:
                self._coco_api = COCO(self.gt_to_coco_json(gt_dicts=gts,
                                                          outfile_prefix=prefix))
            if self.cat_ids is None:
                self.cat_ids = self._cat_ids_in_class_order()
            if self.img_ids is None:
                self.img_ids = self._coco_api.get_img_ids()
            result_files = self.results2json(preds, prefix)
            if self.format_only:
                logger.info(f'results are saved in {osp.dirname(prefix)}')
                return OrderedDict()
            detections = load(result_files['bbox'])
            rows = self._evaluate(detections)
        finally:
            tmp_dir.cleanup()
        self.last_table = rows
        logger.info('per-class COCO bbox AP (pycocotools, maxDets=100):\n' +
                    format_table(rows))
        if self.table_out:
            self._write_table(rows, self.table_out)
            logger.info(f'per-class table written to {self.table_out}')
        return self._flatten(rows)

    def _cat_ids_in_class_order(self) -> List[int]:
        """Category ids in the order of ``dataset_meta['classes']`` (label i -> id i).

        mmdet's CocoMetric takes them in the file's order, which mislabels results when a
        config lists the classes in another order; matched by name here, as FLIRDataset does.
        """
        ids = []
        for name in self.dataset_meta['classes']:
            found = self._coco_api.get_cat_ids(cat_names=[name])
            if not found:
                raise ValueError(f'class {name!r} is not a category of the annotation file')
            ids.append(found[0])
        return ids

    def _evaluate(self, detections: List[dict]) -> Dict[str, Dict[str, float]]:
        names = [self._coco_api.loadCats(c)[0]['name'] for c in self.cat_ids]
        if not detections:  # no detections at all: AP is 0 wherever GT exists
            return {n: {c: 0.0 for c in TABLE_COLUMNS} for n in names + ['all']}
        coco_eval = self._cocoeval(detections)
        coco_eval.params.catIds = list(self.cat_ids)
        coco_eval.params.imgIds = list(self.img_ids)
        coco_eval.evaluate()
        coco_eval.accumulate()
        coco_eval.summarize()
        precision = coco_eval.eval['precision']
        # COCOeval sorts params.catIds: precision's class axis follows that order
        index = {c: k for k, c in enumerate(coco_eval.params.catIds)}
        rows = {name: per_class_ap(precision, index[c]) for c, name in zip(self.cat_ids, names)}
        rows['all'] = {c: float(coco_eval.stats[i]) for i, c in enumerate(TABLE_COLUMNS)}
        rows['all'] = {c: (float('nan') if v == -1 else v) for c, v in rows['all'].items()}
        return rows

    def _cocoeval(self, detections: List[dict]):
        """A ``COCOeval`` of the chosen backend on the GT and ``detections``."""
        if self.backend == 'pycocotools':
            return COCOeval(self._coco_api, self._coco_api.loadRes(detections), 'bbox')
        from faster_coco_eval import COCO as FastCOCO
        from faster_coco_eval import COCOeval_faster
        gt = FastCOCO()
        gt.dataset = copy.deepcopy(self._coco_api.dataset)
        gt.createIndex()
        logger = MMLogger.get_current_instance()
        return COCOeval_faster(gt, gt.loadRes(copy.deepcopy(detections)), 'bbox',
                               print_function=logger.debug)

    @staticmethod
    def _flatten(rows: Dict[str, Dict[str, float]]) -> Dict[str, float]:
        out: Dict[str, float] = OrderedDict()
        for col in TABLE_COLUMNS:
            out[f'bbox_{col}'] = rows['all'][col]
        for name, vals in rows.items():
            if name == 'all':
                continue
            for col in TABLE_COLUMNS:
                out[f'bbox_{name.replace(" ", "_")}_{col}'] = vals[col]
        return out

    @staticmethod
    def _write_table(rows: Dict[str, Dict[str, float]], path: str) -> None:
        fmt = 'csv' if path.endswith('.csv') else 'markdown'
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        with open(path, 'w', encoding='utf-8', newline='') as f:
            f.write(format_table(rows, fmt))


def read_table_csv(path: str) -> Dict[str, Dict[str, float]]:
    """Read a table written by :class:`CocoClasswiseMetric` as CSV back into a dict."""
    with open(path, encoding='utf-8') as f:
        return {r['class']: {c: float(r[c]) for c in TABLE_COLUMNS} for r in csv.DictReader(f)}


__all__: Sequence[str] = ['CocoClasswiseMetric', 'per_class_ap', 'format_table',
                          'read_table_csv', 'TABLE_COLUMNS']
