"""Generate thermal pseudo-labels from paired RGB frames (seed 003's label pipeline).

teacher on RGB -> class mapping -> score threshold -> RGB-to-thermal box mapping -> optional
SAM 2 refinement (on the thermal or the RGB frame) -> COCO json for the thermal frames.

The output lives in ``<out_root>/<key>/`` where ``key`` hashes everything the labels depend
on (teacher identity, thresholds, class map, mapping matrix, refiner, source annotations),
so a changed setting writes new labels and an unchanged one re-uses the cache. Frames are
appended to ``partial.jsonl`` as they are done: an interrupted run resumes where it stopped.
The final ``pseudo_coco.json`` is written atomically; ``stats.json`` holds per-class counts,
refinement status counts and (where the source split has ground truth) precision, recall
and IoU before/after refinement; ``records.jsonl`` keeps every box of every frame (raw and
refined box, score, class, refinement status); ``spec.json`` the settings and frame counts.
"""
import hashlib
import json
import os
import os.path as osp
import time
from collections import Counter
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmengine.logging import MMLogger
from mmengine.registry import DefaultScope

from mmext.registry import TASK_UTILS
from mmext.utils.errors import UserInputError, missing_path_message

from .box_ops import map_boxes
from .quality import SCORE_BINS, frame_score_histogram, match_stats, score_histogram
from .teachers import build_teacher

OUTPUT_NAME = 'pseudo_coco.json'
RECORDS_NAME = 'records.jsonl'
SIZE_POLICIES = ('scale', 'error')


def load_matrix(spec) -> np.ndarray:
    """A 3x3/2x3 matrix from a list, or from a JSON file with an ``rgb_to_thermal`` entry."""
    return load_mapping(spec)[0]


def load_mapping(spec) -> Tuple[np.ndarray, Optional[Tuple[int, int]]]:
    """The RGB->thermal matrix and the RGB frame size ``(w, h)`` it was fitted for.

    ``spec`` is a 3x3/2x3 list (size unknown: None) or a JSON file with ``rgb_to_thermal``
    and, as written by ``tools/analysis_tools/fit_rgb_thermal_homography.py --rgb-size``
    and the synthetic generator, ``rgb_size`` ``[w, h]``.
    """
    size = None
    if isinstance(spec, str):
        path = spec
        if not osp.isfile(path):
            raise UserInputError(missing_path_message('RGB-to-thermal mapping file', path))
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
        if isinstance(data, dict):
            if 'rgb_to_thermal' not in data:
                raise UserInputError(f'{path!r}: expected a JSON object with "rgb_to_thermal" '
                                     f'(a 3x3 list), found the keys {sorted(data)}')
            spec = data['rgb_to_thermal']
            if data.get('rgb_size') is not None:
                size = _size_pair(data['rgb_size'], f'{path!r} "rgb_size"')
        else:
            spec = data
    m = np.asarray(spec, dtype=np.float64)
    if m.shape not in ((3, 3), (2, 3)):
        raise UserInputError(f'rgb_to_thermal must be 3x3 or 2x3, got shape {m.shape}')
    return m, size


def _size_pair(value, what: str) -> Tuple[int, int]:
    try:
        w, h = (int(v) for v in value)
    except (TypeError, ValueError):
        raise UserInputError(f'{what} must be [width, height], got {value!r}') from None
    return w, h


def _image_size(path: str) -> Tuple[int, int]:
    """(width, height) of an image file, read from its header."""
    from PIL import Image
    with Image.open(path) as im:
        return im.size


def _read_rgb(path: str, what: str) -> np.ndarray:
    img = cv2.imread(path)
    if img is None:
        raise UserInputError(f'{what} {path!r} could not be read as an image')
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


@TASK_UTILS.register_module()
class PseudoLabelGenerator:
    """Write COCO pseudo-labels for thermal frames from their RGB partners.

    Args:
        source: the thermal split in FLIR layout: ``data_root``, ``ann_file`` (its images;
            its annotations, if any, are used only for statistics), ``img_prefix``,
            ``rgb_dir`` and optional ``rgb_map_file`` (see
            :class:`~mmext.detection.datasets.FLIRDataset`; FLIR v2 pairs through
            ``rgb_to_thermal_vid_map.json``).
        teacher: ``dict(type='mmdet', config=..., checkpoint=..., device=...)`` or
            ``dict(type='coco_file', ann_file=...)``.
        class_map: teacher class name -> target (FLIR) class name; others are dropped.
        score_thr: minimum teacher score (seed 003: 0.5 and 0.7).
        rgb_to_thermal: 3x3 homography / 2x3 affine (RGB pixels -> thermal pixels) or a
            JSON file holding it under ``rgb_to_thermal`` (and the RGB frame size it was
            fitted for under ``rgb_size``).
        refiner: ``SAM2PseudoLabeler`` config, or None for raw mapped boxes.
        refine_on: ``'thermal'`` (refine after mapping) or ``'rgb'`` (refine, then map).
        min_box_size: boxes narrower or lower than this (thermal pixels) are dropped.
        classes: the target classes in label order (the student's ``metainfo.classes``;
            :func:`prepare_pseudo_labels` passes them). Default: the ``class_map`` values in
            order of first appearance. A refiner's ``classes=[...]`` indexes this order.
        rgb_size: ``(w, h)`` of the RGB frames the matrix was fitted for; overrides the
            JSON's ``rgb_size``. Unknown (neither given): the first frame's size is assumed
            and a frame of another size is refused.
        rgb_size_mismatch: what to do with an RGB frame of another size than ``rgb_size``:
            ``'scale'`` (default) maps its pixels to the fitted size first (the matrix is
            multiplied by ``diag(fit_w / w, fit_h / h, 1)``; right when the frame is the
            same view at another resolution) and counts the frames in ``spec.json``;
            ``'error'`` refuses the frame.
        max_boxes_per_frame: at most this many teacher boxes per frame go on (the highest
            scores); an untrained teacher can give thousands.
    """

    def __init__(self, source: dict, teacher: dict, class_map: Dict[str, str],
                 score_thr: float, rgb_to_thermal, refiner: Optional[dict] = None,
                 refine_on: str = 'thermal', min_box_size: float = 2.0,
                 classes: Optional[Sequence[str]] = None,
                 rgb_size: Optional[Sequence[int]] = None,
                 rgb_size_mismatch: str = 'scale',
                 max_boxes_per_frame: int = 300) -> None:
        if refine_on not in ('thermal', 'rgb'):
            raise UserInputError(f"pseudo_labels.refine_on must be 'thermal' or 'rgb', "
                                 f'got {refine_on!r}')
        if rgb_size_mismatch not in SIZE_POLICIES:
            raise UserInputError(f'pseudo_labels.rgb_size_mismatch must be one of '
                                 f'{SIZE_POLICIES}, got {rgb_size_mismatch!r}')
        if 'ann_file' not in source:
            raise UserInputError('pseudo_labels.source needs "ann_file" (the thermal split\'s '
                                 'COCO file, e.g. thermal_annotations.json or coco.json)')
        self.source = dict(source)
        self.teacher_cfg = dict(teacher)
        self.class_map = dict(class_map)
        targets = list(dict.fromkeys(self.class_map.values()))
        self.classes = list(classes) if classes is not None else targets
        missing = [c for c in targets if c not in self.classes]
        if missing:
            raise UserInputError(f'pseudo_labels.class_map targets {missing} are not among the '
                                 f'classes {self.classes}')
        self.score_thr = float(score_thr)
        self.matrix, json_size = load_mapping(rgb_to_thermal)
        self.rgb_size = _size_pair(rgb_size, 'pseudo_labels.rgb_size') \
            if rgb_size is not None else json_size
        self.rgb_size_mismatch = rgb_size_mismatch
        self.refiner_cfg = None if refiner is None else dict(refiner)
        self.refine_on = refine_on
        self.min_box_size = float(min_box_size)
        self.max_boxes_per_frame = int(max_boxes_per_frame)
        self._assumed_size = self.rgb_size is None

    # -- cache key -----------------------------------------------------------------------
    def cache_key(self, teacher_identity: dict) -> str:
        """Hash of everything the labels depend on."""
        ann = osp.join(self.source.get('data_root', ''), self.source['ann_file'])
        spec = dict(source=self.source, source_mtime=osp.getmtime(ann) if osp.exists(ann)
                    else None, teacher=teacher_identity, class_map=self.class_map,
                    classes=self.classes, score_thr=self.score_thr,
                    matrix=self.matrix.round(9).tolist(), rgb_size=self.rgb_size,
                    rgb_size_mismatch=self.rgb_size_mismatch, refiner=self.refiner_cfg,
                    refine_on=self.refine_on, min_box_size=self.min_box_size,
                    max_boxes_per_frame=self.max_boxes_per_frame)
        text = json.dumps(spec, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    # -- generation ----------------------------------------------------------------------
    def run(self, out_root: str) -> str:
        """Generate (or re-use) the labels under ``out_root``; return the json path.

        Everything is built under the ``mmext`` default scope, restored afterwards (an
        mmdet teacher switches the global scope while it is built).
        """
        with DefaultScope.overwrite_default_scope('mmext'):
            return self._run(out_root)

    def _run(self, out_root: str) -> str:
        logger = MMLogger.get_current_instance()
        dataset = self._source_dataset()
        teacher = build_teacher(self.teacher_cfg)
        out_dir = osp.join(out_root, self.cache_key(teacher.identity))
        out_file = osp.join(out_dir, OUTPUT_NAME)
        if osp.isfile(out_file):
            logger.info(f'pseudo-labels: re-using {out_file} (same teacher, thresholds, '
                        'mapping and refiner)')
            return out_file
        os.makedirs(out_dir, exist_ok=True)
        refiner = self._build_refiner()
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
        frames = dict(frames=len(done), frames_without_rgb=dataset.unpaired_count,
                      rgb_frames_rescaled=sum(r.get('rgb_rescaled', False)
                                              for r in done.values()),
                      boxes_over_cap=sum(r.get('boxes_over_cap', 0) for r in done.values()))
        if frames['rgb_frames_rescaled']:
            logger.warning(f'pseudo-labels: {frames["rgb_frames_rescaled"]} RGB frames were '
                           f'not {self.rgb_size} (the size the homography was fitted for); '
                           'the mapping was scaled to their size (rgb_size_mismatch=scale)')
        if frames['boxes_over_cap']:
            logger.warning(f'pseudo-labels: {frames["boxes_over_cap"]} teacher boxes above '
                           f'max_boxes_per_frame={self.max_boxes_per_frame} were dropped')
        _write_json_atomic(osp.join(out_dir, 'stats.json'), stats)
        _write_json_atomic(osp.join(out_dir, 'score_histogram.json'), dict(
            bins=SCORE_BINS.tolist(), score_thr=self.score_thr,
            counts=score_histogram(list(done.values()))))
        _write_json_atomic(osp.join(out_dir, 'spec.json'), dict(
            source=self.source, teacher=teacher.identity, class_map=self.class_map,
            classes=self.classes, score_thr=self.score_thr,
            rgb_to_thermal=self.matrix.tolist(), rgb_size=self.rgb_size,
            rgb_size_mismatch=self.rgb_size_mismatch, refiner=self.refiner_cfg,
            refine_on=self.refine_on, max_boxes_per_frame=self.max_boxes_per_frame,
            **frames))
        _write_json_atomic(out_file, coco)
        # the per-box records (raw and refined boxes, scores, refinement status) stay
        os.replace(partial, osp.join(out_dir, RECORDS_NAME))
        logger.info('pseudo-labels: ' + format_stats(stats))
        return out_file

    def _build_refiner(self):
        """Build the refiner; resolve its ``classes`` (names or indices) to label indices."""
        if self.refiner_cfg is None:
            return None
        refiner = TASK_UTILS.build(self.refiner_cfg)
        wanted = getattr(refiner, 'classes', None)
        if wanted is not None:
            bad = [c for c in wanted if (c not in self.classes if isinstance(c, str)
                                         else not 0 <= c < len(self.classes))]
            if bad:
                raise UserInputError(f'pseudo_labels.refiner.classes {sorted(map(str, bad))} '
                                     f'are not class names or indices of {self.classes}')
            refiner.classes = {self.classes.index(c) if isinstance(c, str) else c
                               for c in wanted}
        return refiner

    def _source_dataset(self):
        from mmext.detection.datasets import FLIRDataset
        return FLIRDataset(
            data_root=self.source.get('data_root', ''), ann_file=self.source['ann_file'],
            data_prefix=dict(img=self.source.get('img_prefix', '')),
            metainfo=dict(classes=tuple(self.classes)),
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

    def _matrix_for(self, rgb_path: str) -> Tuple[np.ndarray, bool]:
        """The mapping for this RGB frame (scaled to its size) and whether it was scaled."""
        size = _image_size(rgb_path)
        if self.rgb_size is None:
            self.rgb_size = size
            MMLogger.get_current_instance().warning(
                f'pseudo-labels: the homography gives no "rgb_size"; assuming {size[0]}x'
                f'{size[1]} (the first RGB frame, {rgb_path}). Add "rgb_size": [w, h] to the '
                'homography JSON (or pseudo_labels.rgb_size) to map frames of other sizes.')
        if tuple(size) == tuple(self.rgb_size):
            return self.matrix, False
        what = (f'RGB frame {rgb_path!r} is {size[0]}x{size[1]} but the homography was fitted '
                f'for {self.rgb_size[0]}x{self.rgb_size[1]} frames')
        if self._assumed_size:
            raise UserInputError(f'{what} (assumed from the first frame); give the fitted '
                                 'size as "rgb_size" in the homography JSON or '
                                 'pseudo_labels.rgb_size')
        if self.rgb_size_mismatch == 'error':
            raise UserInputError(f'{what}; set pseudo_labels.rgb_size_mismatch=scale to scale '
                                 'the mapping to the frame size')
        fw, fh = self.rgb_size
        m = self.matrix if self.matrix.shape == (3, 3) else np.vstack([self.matrix, [0, 0, 1]])
        return m @ np.diag([fw / size[0], fh / size[1], 1.0]), True

    def _label_frame(self, info: dict, teacher, refiner) -> dict:
        rgb_path, img_path = info['rgb_path'], info['img_path']
        if not osp.isfile(img_path):
            raise UserInputError(missing_path_message(
                f'thermal frame listed in {self.source["ann_file"]}', img_path))
        if not osp.isfile(rgb_path):
            raise UserInputError(missing_path_message('RGB frame', rgb_path))
        matrix, rescaled = self._matrix_for(rgb_path)
        boxes, scores, names = teacher.predict(rgb_path)
        mapped_cls = [i for i, n in enumerate(names) if n in self.class_map]
        score_hist = frame_score_histogram(np.asarray(scores)[mapped_cls],
                                           [self.class_map[names[i]] for i in mapped_cls])
        keep = [i for i in mapped_cls if scores[i] >= self.score_thr]
        over_cap = max(0, len(keep) - self.max_boxes_per_frame)
        if over_cap:
            keep = sorted(keep, key=lambda i: -scores[i])[:self.max_boxes_per_frame]
        boxes, scores = np.asarray(boxes).reshape(-1, 4)[keep], np.asarray(scores)[keep]
        finite = np.isfinite(boxes).all(1)  # an untrained teacher can give inf/nan boxes
        if not finite.all():
            boxes, scores = boxes[finite], scores[finite]
            keep = [i for i, ok in zip(keep, finite) if ok]
        labels = [self.class_map[names[i]] for i in keep]
        label_ids = [self.classes.index(lb) for lb in labels]
        h, w = info['height'], info['width']
        if refiner is not None and self.refine_on == 'rgb' and len(boxes):
            rgb = _read_rgb(rgb_path, 'RGB frame')
            boxes = refiner.refine(rgb, boxes, label_ids).boxes
        with np.errstate(divide='ignore', invalid='ignore'):
            mapped = map_boxes(boxes, matrix, clip_shape=(h, w))
        ok = np.isfinite(mapped).all(1)  # corners on or behind the homography's horizon
        if not ok.all():
            mapped, scores = mapped[ok], scores[ok]
            labels = [lb for lb, k in zip(labels, ok) if k]
            label_ids = [lb for lb, k in zip(label_ids, ok) if k]
        raw = mapped.copy()
        status = ['not_refined'] * len(mapped)
        if refiner is not None and self.refine_on == 'thermal' and len(mapped):
            thermal = _read_rgb(img_path, 'thermal frame')
            result = refiner.refine(thermal, mapped, label_ids)
            mapped, status = result.boxes, result.status
        elif refiner is not None and len(mapped):
            status = ['refined_on_rgb'] * len(mapped)
        size_ok = ((mapped[:, 2] - mapped[:, 0]) >= self.min_box_size) & \
            ((mapped[:, 3] - mapped[:, 1]) >= self.min_box_size)
        return dict(img_id=info['img_id'],
                    boxes=mapped[size_ok].tolist(), raw=raw[size_ok].tolist(),
                    scores=scores[size_ok].tolist(),
                    labels=[lb for lb, ok in zip(labels, size_ok) if ok],
                    status=[s for s, ok in zip(status, size_ok) if ok],
                    rgb_rescaled=rescaled, boxes_over_cap=over_cap, score_hist=score_hist)

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
        classes = self.classes
        per_class = {c: dict(count=0, score_sum=0.0, gt=0, tp_raw=0, tp=0, iou_raw=0.0,
                             iou=0.0, status=Counter()) for c in classes}
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
                s['status'].update(rec['status'][j] for j in sel)
                s['gt'] += len(gt)
                tp, iou = match_stats(raw, gt)
                s['tp_raw'] += tp
                s['iou_raw'] += iou
                tp, iou = match_stats(pred, gt)
                s['tp'] += tp
                s['iou'] += iou
        return {c: _summarise(s) for c, s in per_class.items()}


def _summarise(s: dict) -> dict:
    div = lambda a, b: (a / b) if b else float('nan')  # noqa: E731
    out = dict(count=s['count'], mean_score=div(s['score_sum'], s['count']), gt=s['gt'],
               refined=s['status'].get('refined', 0), status=dict(sorted(s['status'].items())))
    if s['gt']:
        out.update(precision_raw=div(s['tp_raw'], s['count']),
                   recall_raw=div(s['tp_raw'], s['gt']),
                   mean_iou_raw=div(s['iou_raw'], s['tp_raw']),
                   precision=div(s['tp'], s['count']), recall=div(s['tp'], s['gt']),
                   mean_iou=div(s['iou'], s['tp']))
    return out


def format_stats(stats: dict, keys: Sequence[str] = (
        'count', 'refined', 'mean_score', 'precision_raw', 'recall_raw', 'mean_iou_raw',
        'precision', 'recall', 'mean_iou')) -> str:
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
        json.dump(obj, f, default=str)
    os.replace(tmp, path)
