"""Teachers: where RGB boxes come from before they are mapped onto thermal frames.

A teacher maps an RGB image path to ``(boxes (N, 4) xyxy, scores (N,), class names (N,))``.

* :class:`MMDetTeacher` -- any mmdet detector (config + checkpoint), e.g. COCO YOLOX-x.
* :class:`CocoFileTeacher` -- boxes read from a COCO file keyed by image file name: ground
  truth (score 1) or detection results stored with a ``score`` per annotation. Useful to
  re-use detections computed elsewhere, and for the synthetic set's RGB ground truth.
"""
import json
import os.path as osp
from typing import Dict, List, Tuple

import numpy as np
from mmengine.registry import DefaultScope

from mmext.utils.errors import UserInputError, missing_path_message

from .devices import check_device

Prediction = Tuple[np.ndarray, np.ndarray, List[str]]


class CocoFileTeacher:
    """Boxes from a COCO file, looked up by the RGB image's file name.

    Args:
        ann_file: COCO json with ``images`` (``file_name``), ``annotations`` (``bbox`` xywh,
            optional ``score``) and ``categories``.
    """

    def __init__(self, ann_file: str) -> None:
        if not osp.isfile(ann_file):
            raise UserInputError(missing_path_message('teacher annotation file', ann_file))
        with open(ann_file, encoding='utf-8') as f:
            data = json.load(f)
        names = {c['id']: c['name'] for c in data['categories']}
        by_image: Dict[int, list] = {}
        for a in data['annotations']:
            by_image.setdefault(a['image_id'], []).append(a)
        self._by_name: Dict[str, Prediction] = {}
        for im in data['images']:
            anns = by_image.get(im['id'], [])
            boxes = np.array([[a['bbox'][0], a['bbox'][1], a['bbox'][0] + a['bbox'][2],
                               a['bbox'][1] + a['bbox'][3]] for a in anns],
                             dtype=np.float64).reshape(-1, 4)
            scores = np.array([a.get('score', 1.0) for a in anns], dtype=np.float64)
            self._by_name[osp.basename(im['file_name'])] = (
                boxes, scores, [names[a['category_id']] for a in anns])
        self.identity = dict(type='coco_file', ann_file=osp.abspath(ann_file),
                             mtime=osp.getmtime(ann_file))

    def predict(self, rgb_path: str) -> Prediction:
        """Boxes of the image with this file name (empty when the file lists none)."""
        empty: Prediction = (np.zeros((0, 4)), np.zeros(0), [])
        return self._by_name.get(osp.basename(rgb_path), empty)


class MMDetTeacher:
    """An mmdet detector run on the RGB frames.

    Args:
        config: the detector's config file (mmdet or mmext).
        checkpoint: its weights (e.g. COCO YOLOX-x from the mmdet model zoo, downloaded
            beforehand).
        device: torch device; checked before the model is built.

    The detector is built and run under its config's ``default_scope`` (``'mmdet'`` for a
    model-zoo config), inside a scope that is restored afterwards: mmdet's
    ``init_detector`` switches the global default scope, which would otherwise make the
    mmext modules built after it (the refiner, the student) unknown.
    """

    def __init__(self, config: str, checkpoint: str, device: str = 'cpu') -> None:
        for what, path in (('teacher config (pseudo_labels.teacher.config)', config),
                           ('teacher checkpoint (pseudo_labels.teacher.checkpoint)',
                            checkpoint)):
            if not osp.isfile(path):
                raise UserInputError(missing_path_message(what, path))
        check_device(device, 'pseudo_labels.teacher.device')
        from mmdet.apis import init_detector
        from mmengine.config import Config
        cfg = Config.fromfile(config)
        self.scope = cfg.get('default_scope') or 'mmdet'
        with DefaultScope.overwrite_default_scope(self.scope):
            self.model = init_detector(cfg, checkpoint, device=device)
        self.classes = list(self.model.dataset_meta['classes'])
        self.identity = dict(type='mmdet', config=osp.abspath(config),
                             config_mtime=osp.getmtime(config),
                             checkpoint=osp.abspath(checkpoint),
                             checkpoint_size=osp.getsize(checkpoint),
                             checkpoint_mtime=osp.getmtime(checkpoint))

    def predict(self, rgb_path: str) -> Prediction:
        """Run the detector on one image."""
        from mmdet.apis import inference_detector
        with DefaultScope.overwrite_default_scope(self.scope):
            inst = inference_detector(self.model, rgb_path).pred_instances
        return (inst.bboxes.cpu().numpy().astype(np.float64),
                inst.scores.cpu().numpy().astype(np.float64),
                [self.classes[int(i)] for i in inst.labels.cpu().numpy()])


def build_teacher(cfg: dict):
    """Build a teacher from ``dict(type='mmdet'|'coco_file', ...)``."""
    cfg = dict(cfg)
    kind = cfg.pop('type', None)
    teachers = {'mmdet': MMDetTeacher, 'coco_file': CocoFileTeacher}
    if kind not in teachers:
        raise UserInputError(f'pseudo_labels.teacher.type must be one of {sorted(teachers)}, '
                             f'got {kind!r}')
    return teachers[kind](**cfg)
