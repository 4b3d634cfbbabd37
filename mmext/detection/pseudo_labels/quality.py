"""Label-quality analysis for thermal (pseudo-)labels: audit against ground truth, data-set
statistics side by side, and teacher-score histograms.

* :func:`audit` -- per class: boxes, GT boxes, true positives at IoU >= ``iou_thr`` (greedy
  one-to-one matching, highest IoU first), precision, recall and mean IoU of the matches.
  Images are matched by file name, so any pseudo-label file can be audited against any GT
  file of the same frames (or a GT subset: only frames present in both are counted).
* :func:`dataset_statistics` -- per class: boxes, images with the class, boxes per image
  and COCO size buckets (small < 32^2, medium < 96^2, large; box area w*h in pixels).
* :func:`score_histogram` -- counts of teacher scores per class in fixed bins, before the
  score threshold (the generator records them per frame).
"""
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np

from mmext.utils.errors import UserInputError, missing_path_message

from .box_ops import box_iou

SIZE_BUCKETS = (('small', 0, 32**2), ('medium', 32**2, 96**2), ('large', 96**2, float('inf')))
SCORE_BINS = np.linspace(0.0, 1.0, 21)


def load_coco(path: str, what: str = 'COCO file') -> dict:
    """Load a COCO json, with one-line errors for a missing or malformed file."""
    if not osp.isfile(path):
        raise UserInputError(missing_path_message(what, path))
    with open(path, encoding='utf-8') as f:
        data = json.load(f)
    if not isinstance(data, dict) or not {'images', 'annotations', 'categories'} <= set(data):
        raise UserInputError(f'{what} {path!r} is not COCO (needs images, annotations, '
                             'categories)')
    return data


def match_stats(pred: np.ndarray, gt: np.ndarray, thr: float = 0.5):
    """Greedy one-to-one matching at IoU >= thr: (true positives, sum of matched IoUs)."""
    if len(pred) == 0 or len(gt) == 0:
        return 0, 0.0
    iou = box_iou(pred, gt)
    used = np.zeros(len(gt), bool)
    tp, total = 0, 0.0
    for i in np.argsort(-iou.max(1)):
        cand = np.where(used, -1.0, iou[i])
        j = int(cand.argmax())
        if cand[j] >= thr:
            used[j] = True
            tp += 1
            total += float(cand[j])
    return tp, total


def boxes_by_image(coco: dict) -> Dict[str, Dict[str, np.ndarray]]:
    """``{file basename: {class name: (N, 4) xyxy}}``."""
    names = {c['id']: c['name'] for c in coco['categories']}
    by_id = {im['id']: osp.basename(im['file_name']) for im in coco['images']}
    out: Dict[str, Dict[str, list]] = {name: {} for name in by_id.values()}
    for a in coco['annotations']:
        if a['image_id'] not in by_id or a.get('iscrowd', 0):
            continue
        x, y, w, h = a['bbox']
        out[by_id[a['image_id']]].setdefault(names[a['category_id']], []).append(
            [x, y, x + w, y + h])
    return {k: {c: np.asarray(v, np.float64).reshape(-1, 4) for c, v in d.items()}
            for k, d in out.items()}


def audit(pred: dict, gt: dict, classes: Optional[Sequence[str]] = None,
          iou_thr: float = 0.5) -> Dict[str, dict]:
    """Precision / recall / mean IoU of ``pred`` against ``gt`` per class (see module doc)."""
    p, g = boxes_by_image(pred), boxes_by_image(gt)
    common = sorted(set(p) & set(g))
    if not common:
        raise UserInputError('the two files share no image file names: nothing to audit')
    if classes is None:
        classes = [c['name'] for c in pred['categories']
                   if any(c['name'] in p[k] for k in common)]
    empty = np.zeros((0, 4))
    out = {}
    for c in classes:
        n_pred = n_gt = tp = 0
        iou = 0.0
        for k in common:
            pb, gb = p[k].get(c, empty), g[k].get(c, empty)
            t, s = match_stats(pb, gb, iou_thr)
            n_pred, n_gt, tp, iou = n_pred + len(pb), n_gt + len(gb), tp + t, iou + s
        out[c] = dict(pred=n_pred, gt=n_gt, tp=tp,
                      precision=tp / n_pred if n_pred else float('nan'),
                      recall=tp / n_gt if n_gt else float('nan'),
                      mean_iou=iou / tp if tp else float('nan'))
    out['_images'] = dict(audited=len(common), pred_only=len(set(p) - set(g)),
                          gt_only=len(set(g) - set(p)))
    return out


def dataset_statistics(coco: dict, classes: Optional[Sequence[str]] = None) -> Dict[str, dict]:
    """Per-class box counts, images, boxes per image and size buckets."""
    boxes = boxes_by_image(coco)
    if classes is None:
        classes = [c['name'] for c in coco['categories']]
    out = {}
    for c in classes:
        per_image = [b[c] for b in boxes.values() if c in b and len(b[c])]
        allb = np.concatenate(per_image) if per_image else np.zeros((0, 4))
        area = (allb[:, 2] - allb[:, 0]) * (allb[:, 3] - allb[:, 1])
        row = dict(boxes=len(allb), images=len(per_image),
                   per_image=len(allb) / max(len(boxes), 1))
        for name, lo, hi in SIZE_BUCKETS:
            row[name] = int(((area >= lo) & (area < hi)).sum())
        out[c] = row
    out['_images'] = dict(total=len(boxes))
    return out


def score_histogram(records: List[dict]) -> Dict[str, List[int]]:
    """Sum the per-frame ``score_hist`` of generator records: ``{class: counts}``."""
    total: Dict[str, np.ndarray] = {}
    for rec in records:
        for c, counts in (rec.get('score_hist') or {}).items():
            total[c] = total.get(c, 0) + np.asarray(counts)
    return {c: v.astype(int).tolist() for c, v in total.items()}


def frame_score_histogram(scores: np.ndarray, labels: Sequence[str]) -> Dict[str, List[int]]:
    """Counts of ``scores`` per class label in :data:`SCORE_BINS` (20 bins of 0.05)."""
    out = {}
    for c in dict.fromkeys(labels):
        s = np.asarray([sc for sc, lb in zip(scores, labels) if lb == c], np.float64)
        out[c] = np.histogram(np.clip(s, 0, 1), bins=SCORE_BINS)[0].tolist()
    return out


def format_rows(tables: Dict[str, Dict[str, dict]], keys: Sequence[str]) -> str:
    """Markdown: one row per (table name, class), ``keys`` as columns (side by side)."""
    lines = ['| set | class | ' + ' | '.join(keys) + ' |', '|' + '---|' * (2 + len(keys))]
    for name, table in tables.items():
        for c, row in table.items():
            if c.startswith('_'):
                continue
            vals = [(f'{row[k]:.3f}' if isinstance(row[k], float) else str(row[k]))
                    if k in row else '-' for k in keys]
            lines.append(f'| {name} | {c} | ' + ' | '.join(vals) + ' |')
    return '\n'.join(lines)
