"""SAM2PseudoLabeler: tighten pseudo-label boxes with box-prompted masks (seed 003)."""
from dataclasses import dataclass
from typing import Optional, Sequence, Union

import numpy as np

from mmext.registry import TASK_UTILS

from .box_ops import box_iou, mask_to_box
from .enhance import enhance
from .mask_backends import MaskBackend, build_mask_backend

# Why a box was kept unrefined (or ``refined``); stored per box for statistics.
REFINED, DISABLED_CLASS, EMPTY_MASK, SMALL_MASK, LOW_IOU = (
    'refined', 'class_disabled', 'empty_mask', 'small_mask', 'low_iou')


@dataclass
class RefinedBoxes:
    """Result of :meth:`SAM2PseudoLabeler.refine` for one image.

    Attributes:
        boxes: (N, 4) xyxy boxes after refinement (originals where refinement was refused).
        original: (N, 4) the input boxes.
        status: N strings: ``'refined'`` or why the original box was kept.
        iou: (N,) IoU between each mask box and its input box (0 where no mask).
    """
    boxes: np.ndarray
    original: np.ndarray
    status: list
    iou: np.ndarray


@TASK_UTILS.register_module()
class SAM2PseudoLabeler:
    """Image + boxes -> tightened boxes: box prompt -> mask -> bounding box of the mask.

    The boxes of an image go to the mask backend in calls of at most ``max_boxes_per_call``
    boxes (SAM 2's memory grows with the number of prompts). A refined box replaces the
    input box unless the mask is empty, smaller than ``min_area`` pixels, or its box
    overlaps the input box by less than ``iou_thr`` (the mask then probably caught another
    object or background); refinement can be limited to some classes.

    Args:
        backend: a :class:`MaskBackend` or its config, e.g.
            ``dict(type='sam2', config='configs/sam2.1/sam2.1_hiera_l.yaml',
            checkpoint='checkpoints/sam2.1_hiera_large.pt')``,
            ``dict(type='hf', model='facebook/sam2.1-hiera-large')`` or the weight-free
            ``dict(type='thermal_otsu')``.
        iou_thr: minimum IoU(mask box, input box) to accept the refined box.
        min_area: minimum mask area in pixels.
        classes: classes to refine, as label indices or class names, matched against the
            ``labels`` given to :meth:`refine`. In the pseudo-label pipeline, indices follow
            the labels' class order (the student's ``metainfo.classes``) and names are
            resolved to them by the generator. None refines all.
        max_boxes_per_call: most boxes per backend call (chunking).
        preprocess: optional enhancement of the image before segmentation, e.g.
            ``dict(type='unsharp', sigma=2.0, amount=1.0)`` (see :mod:`.enhance`).

    Example:
        >>> labeler = SAM2PseudoLabeler(backend=dict(type='thermal_otsu'))
        >>> result = labeler.refine(image_rgb, boxes_xyxy, labels)
    """

    def __init__(self, backend: Union[dict, MaskBackend], iou_thr: float = 0.3,
                 min_area: int = 16, classes: Optional[Sequence[Union[int, str]]] = None,
                 max_boxes_per_call: int = 64, preprocess: Optional[dict] = None) -> None:
        self.backend = backend if isinstance(backend, MaskBackend) else \
            build_mask_backend(backend)
        self.iou_thr = iou_thr
        self.min_area = min_area
        self.classes = None if classes is None else set(
            c if isinstance(c, str) else int(c) for c in classes)
        if int(max_boxes_per_call) < 1:
            raise ValueError(f'max_boxes_per_call must be >= 1, got {max_boxes_per_call}')
        self.max_boxes_per_call = int(max_boxes_per_call)
        self.preprocess = preprocess
        enhance(np.zeros((8, 8, 3), np.uint8), preprocess)  # validate the config now

    def refine(self, image: np.ndarray, boxes: np.ndarray,
               labels: Optional[np.ndarray] = None) -> RefinedBoxes:
        """Refine the xyxy ``boxes`` of one (H, W, 3) uint8 RGB ``image``.

        ``labels`` (label indices or class names, one per box) select the boxes to refine
        when ``classes`` is set; without labels while ``classes`` is set, nothing could be
        selected, so this raises instead of silently refining nothing or everything.
        """
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        if labels is None:
            if self.classes is not None:
                raise ValueError(f'SAM2PseudoLabeler(classes={sorted(map(str, self.classes))}) '
                                 'needs the labels of the boxes')
            labels = [None] * len(boxes)
        labels = list(labels)
        if len(labels) != len(boxes):
            raise ValueError(f'{len(boxes)} boxes but {len(labels)} labels')
        out = boxes.copy()
        status = [DISABLED_CLASS] * len(boxes)
        ious = np.zeros(len(boxes))
        todo = np.array([self.classes is None or _label_key(c) in self.classes
                         for c in labels], dtype=bool).reshape(-1)
        idx = np.nonzero(todo)[0]
        if len(idx):
            image = enhance(image, self.preprocess)
        for start in range(0, len(idx), self.max_boxes_per_call):
            chunk = idx[start:start + self.max_boxes_per_call]
            masks = self.backend.predict_masks(image, boxes[chunk])
            for j, i in enumerate(chunk):
                out[i], status[i], ious[i] = self._accept(masks[j], boxes[i])
        return RefinedBoxes(boxes=out, original=boxes, status=status, iou=ious)

    def _accept(self, mask: np.ndarray, box: np.ndarray):
        mbox = mask_to_box(mask)
        if mbox is None:
            return box, EMPTY_MASK, 0.0
        iou = float(box_iou(mbox, box)[0, 0])
        if int(mask.sum()) < self.min_area:
            return box, SMALL_MASK, iou
        if iou < self.iou_thr:
            return box, LOW_IOU, iou
        return mbox, REFINED, iou


def _label_key(label):
    """A label as a set key: class names stay strings, numbers become ints."""
    if isinstance(label, (str, np.str_)):
        return str(label)
    return int(label)
