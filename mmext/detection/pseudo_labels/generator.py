"""Generate thermal pseudo-labels from paired RGB frames (seed 003's label pipeline).

teacher on RGB -> class mapping -> score threshold -> RGB-to-thermal box mapping -> optional
SAM 2 refinement (on the thermal or the RGB frame) -> COCO json for the thermal frames.

The output lives in ``<out_root>/<key>/`` where ``key`` hashes everything the labels depend
on (teacher identity, thresholds, class map, mapping matrix, refiner, source annotations),
so a changed setting writes new labels and an unchanged one re-uses the cache. Frames are
appended to ``partial.jsonl`` as they are done: an interrupted run resumes where it stopped.
The final ``pseudo_coco.json`` is written atomically.
"""
import hashlib
import json
import os
import os.path as osp
import time
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
from mmengine.logging import MMLogger

from mmext.registry import TASK_UTILS
from mmext.utils.errors import UserInputError, missing_path_message

from .box_ops import box_iou, map_boxes
from .teachers import build_teacher

OUTPUT_NAME = 'pseudo_coco.json'


def load_matrix(spec) -> np.ndarray:
    """A 3x3/2x3 matrix from a list, or from a JSON file with an ``rgb_to_thermal`` entry."""
    if isinstance(spec, str):
        if not osp.isfile(spec):
            raise UserInputError(missing_path_message('RGB-to-thermal mapping file', spec))
        with open(spec, encoding='utf-8') as f:
            data = json.load(f)
        spec = data.get('rgb_to_thermal') if isinstance(data, dict) else data
        if spec is None:
            raise UserInputError(f'{spec!r}: expected a JSON object with "rgb_to_thermal"')
    m = np.asarray(spec, dtype=np.float64)
    if m.shape not in ((3, 3), (2, 3)):
        raise UserInputError(f'rgb_to_thermal must be 3x3 or 2x3, got shape {m.shape}')
    return m


def _match_stats(pred: np.ndarray, gt: np.ndarray, thr: float = 0.5):
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


@TASK_UTILS.register_module()
class PseudoLabelGenerator:
    """Write COCO pseudo-labels for thermal frames from their RGB partners.

    Args:
        source: the thermal split in FLIR layout: ``data_root``, ``ann_file`` (its images;
            its annotations, if any, are used only for statistics), ``rgb_dir`` and optional
            ``rgb_map_file`` (see :class:`~mmext.detection.datasets.FLIRDataset`).
        teacher: ``dict(type='mmdet', config=..., checkpoint=...)`` or
            ``dict(type='coco_file', ann_file=...)``.
        class_map: teacher class name -> target (FLIR) class name; others are dropped.
        score_thr: minimum teacher score (seed 003: 0.5 and 0.7).
        rgb_to_thermal: 3x3 homography / 2x3 affine (RGB pixels -> thermal pixels) or a
            JSON file holding it under ``rgb_to_thermal``.
        refiner: ``SAM2PseudoLabeler`` config, or None for raw mapped boxes.
        refine_on: ``'thermal'`` (refine after mapping) or ``'rgb'`` (refine, then map).
        min_box_size: boxes narrower or lower than this (thermal pixels) are dropped.
    """

    def __init__(self, source: dict, teacher: dict, class_map: Dict[str, str],
                 score_thr: float, rgb_to_thermal, refiner: Optional[dict] = None,
                 refine_on: str = 'thermal', min_box_size: float = 2.0) -> None:
        if refine_on not in ('thermal', 'rgb'):
            raise UserInputError(f"pseudo_labels.refine_on must be 'thermal' or 'rgb', "
                                 f'got {refine_on!r}')
        self.source = dict(source)
        self.teacher_cfg = dict(teacher)
        self.class_map = dict(class_map)
        self.score_thr = float(score_thr)
        self.matrix = load_matrix(rgb_to_thermal)
        self.refiner_cfg = None if refiner is None else dict(refiner)
        self.refine_on = refine_on
        self.min_box_size = float(min_box_size)

    # -- cache key -----------------------------------------------------------------------
    def cache_key(self, teacher_identity: dict) -> str:
        """Hash of everything the labels depend on."""
        ann = osp.join(self.source.get('data_root', ''), self.source['ann_file'])
        spec = dict(source=self.source, source_mtime=osp.getmtime(ann) if osp.exists(ann)
                    else None, teacher=teacher_identity, class_map=self.class_map,
                    score_thr=self.score_thr, matrix=self.matrix.round(9).tolist(),
                    refiner=self.refiner_cfg, refine_on=self.refine_on,
                    min_box_size=self.min_box_size)
        text = json.dumps(spec, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    # -- generation ----------------------------------------------------------------------
    def run(self, out_root: str) -> str:
        """Generate (or re-use) the labels under ``out_root``; return the json path."""
        logger = MMLogger.get_current_instance()
        teacher = build_teacher(self.teacher_cfg)
        out_dir = osp.join(out_root, self.cache_key(teacher.identity))
        out_file = osp.join(out_dir, OUTPUT_NAME)
        if osp.isfile(out_file):
            logger.info(f'pseudo-labels: re-using {out_file} (same teacher, thresholds, '
                        'mapping and refiner)')
            return out_file
        os.makedirs(out_dir, exist_ok=True)
        dataset = self._source_dataset()
        refiner = None if self.refiner_cfg is None else TASK_UTILS.build(self.refiner_cfg)
        partial = osp.join(out_dir, 'partial.jsonl')
        done = self._read_partial(partial)
        if done:
            logger.info(f'pseudo-labels: resuming, {len(done)} of {len(dataset)} frames done')
        t0, n_new = time.time(), 0
        with open(partial, 'a', encoding='utf-8') as f:
            for idx in range(len(dataset)):
                info = dataset.get_data_info(idx)
                if info['img_id'] in done:
                    continue
                record = self._label_frame(info, teacher, refiner)
                f.write(json.dumps(record) + '\n')
                f.flush()
                done[info['img_id']] = record
                n_new += 1
                if n_new % 50 == 0 or len(done) == len(dataset):
                    rate = n_new / max(time.time() - t0, 1e-9)
                    logger.info(f'pseudo-labels: {len(done)}/{len(dataset)} frames '
                                f'({rate:.1f} frames/s)')
        coco = self._to_coco(dataset, done)
        stats = self._statistics(dataset, done)
        _write_json_atomic(osp.join(out_dir, 'stats.json'), stats)
        _write_json_atomic(osp.join(out_dir, 'spec.json'), dict(
            source=self.source, teacher=teacher.identity, class_map=self.class_map,
            score_thr=self.score_thr, rgb_to_thermal=self.matrix.tolist(),
            refiner=self.refiner_cfg, refine_on=self.refine_on,
            frames_without_rgb=dataset.unpaired_count))
        _write_json_atomic(out_file, coco)
        os.remove(partial)
        logger.info('pseudo-labels: ' + format_stats(stats))
        return out_file

    def _source_dataset(self):
        from mmext.detection.datasets import FLIRDataset
        return FLIRDataset(
            data_root=self.source.get('data_root', ''), ann_file=self.source['ann_file'],
            data_prefix=dict(img=self.source.get('img_prefix', '')),
            metainfo=dict(classes=tuple(sorted(set(self.class_map.values())))),
            rgb_dir=self.source.get('rgb_dir', 'RGB'),
            rgb_suffix=self.source.get('rgb_suffix', '.jpg'),
            rgb_map_file=self.source.get('rgb_map_file'), skip_unpaired=True,
            filter_cfg=None, pipeline=[], test_mode=True)

    @staticmethod
    def _read_partial(path: str) -> dict:
        done = {}
        if osp.isfile(path):
            with open(path, encoding='utf-8') as f:
                for line in f:
                    try:
                        rec = json.loads(line)
                    except json.JSONDecodeError:  # a line cut by an interruption
                        continue
                    done[rec['img_id']] = rec
        return done

    def _label_frame(self, info: dict, teacher, refiner) -> dict:
        boxes, scores, names = teacher.predict(info['rgb_path'])
        keep = [i for i, n in enumerate(names)
                if n in self.class_map and scores[i] >= self.score_thr]
        boxes, scores = boxes[keep], scores[keep]
        labels = [self.class_map[names[i]] for i in keep]
        h, w = info['height'], info['width']
        if refiner is not None and self.refine_on == 'rgb' and len(boxes):
            rgb = cv2.cvtColor(cv2.imread(info['rgb_path']), cv2.COLOR_BGR2RGB)
            boxes = refiner.refine(rgb, boxes).boxes
        mapped = map_boxes(boxes, self.matrix, clip_shape=(h, w))
        raw = mapped.copy()
        status = ['not_refined'] * len(mapped)
        if refiner is not None and self.refine_on == 'thermal' and len(mapped):
            thermal = cv2.cvtColor(cv2.imread(info['img_path']), cv2.COLOR_BGR2RGB)
            result = refiner.refine(thermal, mapped)
            mapped, status = result.boxes, result.status
        size_ok = ((mapped[:, 2] - mapped[:, 0]) >= self.min_box_size) & \
            ((mapped[:, 3] - mapped[:, 1]) >= self.min_box_size)
        return dict(img_id=info['img_id'],
                    boxes=mapped[size_ok].tolist(), raw=raw[size_ok].tolist(),
                    scores=scores[size_ok].tolist(),
                    labels=[lb for lb, ok in zip(labels, size_ok) if ok],
                    status=[s for s, ok in zip(status, size_ok) if ok])

    def _to_coco(self, dataset, done: dict) -> dict:
        path = osp.join(self.source.get('data_root', ''), self.source['ann_file'])
        with open(path, encoding='utf-8') as f:
            src = json.load(f)
        cat_id = {c['name']: c['id'] for c in src['categories']}
        images = [im for im in src['images'] if im['id'] in done]
        anns = []
        for img_id in sorted(done):
            rec = done[img_id]
            for box, score, label in zip(rec['boxes'], rec['scores'], rec['labels']):
                x0, y0, x1, y1 = box
                anns.append(dict(id=len(anns) + 1, image_id=img_id, category_id=cat_id[label],
                                 bbox=[x0, y0, x1 - x0, y1 - y0], area=(x1 - x0) * (y1 - y0),
                                 iscrowd=0, score=score))
        return dict(info=dict(description='mmext pseudo-labels'), categories=src['categories'],
                    images=images, annotations=anns)

    def _statistics(self, dataset, done: dict) -> dict:
        classes = sorted(set(self.class_map.values()))
        per_class = {c: dict(count=0, score_sum=0.0, gt=0, tp_raw=0, tp=0, iou_raw=0.0,
                             iou=0.0) for c in classes}
        for idx in range(len(dataset)):
            info = dataset.get_data_info(idx)
            rec = done[info['img_id']]
            for k, c in enumerate(classes):
                gt = np.array([i['bbox'] for i in info['instances'] if i['bbox_label'] == k],
                              dtype=np.float64).reshape(-1, 4)
                sel = [j for j, lb in enumerate(rec['labels']) if lb == c]
                pred = np.array(rec['boxes'], dtype=np.float64).reshape(-1, 4)[sel]
                raw = np.array(rec['raw'], dtype=np.float64).reshape(-1, 4)[sel]
                s = per_class[c]
                s['count'] += len(sel)
                s['score_sum'] += float(sum(rec['scores'][j] for j in sel))
                s['gt'] += len(gt)
                tp, iou = _match_stats(raw, gt)
                s['tp_raw'] += tp
                s['iou_raw'] += iou
                tp, iou = _match_stats(pred, gt)
                s['tp'] += tp
                s['iou'] += iou
        return {c: _summarise(s) for c, s in per_class.items()}


def _summarise(s: dict) -> dict:
    div = lambda a, b: (a / b) if b else float('nan')  # noqa: E731
    out = dict(count=s['count'], mean_score=div(s['score_sum'], s['count']), gt=s['gt'])
    if s['gt']:
        out.update(precision_raw=div(s['tp_raw'], s['count']),
                   recall_raw=div(s['tp_raw'], s['gt']),
                   mean_iou_raw=div(s['iou_raw'], s['tp_raw']),
                   precision=div(s['tp'], s['count']), recall=div(s['tp'], s['gt']),
                   mean_iou=div(s['iou'], s['tp']))
    return out


def format_stats(stats: dict, keys: Sequence[str] = (
        'count', 'mean_score', 'precision_raw', 'recall_raw', 'mean_iou_raw', 'precision',
        'recall', 'mean_iou')) -> str:
    """One line per class with the statistics (raw = mapped only, without refinement)."""
    lines: List[str] = ['class ' + ' '.join(keys)]
    for c, s in stats.items():
        vals = [f'{s[k]:.3f}' if isinstance(s.get(k), float) else str(s.get(k, '-'))
                for k in keys]
        lines.append(f'{c} ' + ' '.join(vals))
    return '\n'.join(lines)


def _write_json_atomic(path: str, obj) -> None:
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(obj, f)
    os.replace(tmp, path)
