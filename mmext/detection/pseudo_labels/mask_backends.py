"""Box-prompted mask predictors used by :class:`SAM2PseudoLabeler`.

Every backend maps ``(image, boxes)`` to one binary mask per box, all boxes of an image in
one call: ``predict_masks(image (H, W, 3) uint8 RGB, boxes (N, 4) xyxy pixels) -> (N, H, W)
bool`` in the coordinates of the given image.

The two SAM 2 backends are :mod:`mmext.utils.sam2_prompts` (shared with the food family's
SAM 2 masks) with this refiner's field names in their errors.

* ``'sam2'`` -- the ``sam2`` package (``build_sam2(config, checkpoint)`` +
  ``SAM2ImagePredictor``), e.g. config ``configs/sam2.1/sam2.1_hiera_l.yaml`` and checkpoint
  ``checkpoints/sam2.1_hiera_large.pt``.
* ``'hf'`` -- transformers' ``Sam2Model`` + ``Sam2Processor`` from a hub id
  (``facebook/sam2.1-hiera-large``) or a local directory.
* ``'thermal_otsu'`` -- weight-free, classical: inside each box, Otsu's threshold on the
  (thermal) intensity separates warm object pixels from the background; the largest
  connected component touching the box centre region is the mask. For machines without
  SAM 2 weights; not SAM.
"""
from typing import List

import cv2
import numpy as np

from mmext.utils.sam2_prompts import SAM2_HINT, HFSam2Predictor, Sam2PackagePredictor

__all__ = ['MaskBackend', 'Sam2PackageBackend', 'HFSam2Backend', 'ThermalOtsuBackend',
           'build_mask_backend', 'SAM2_HINT']


class MaskBackend:
    """Interface of a box-prompted mask predictor."""

    name = 'base'

    def predict_masks(self, image: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        """Return (N, H, W) bool masks for xyxy ``boxes`` on the RGB ``image``."""
        raise NotImplementedError


def _check_inputs(image: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f'expected an (H, W, 3) uint8 RGB image, got {image.shape} '
                         f'{image.dtype}')
    boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
    return boxes


class Sam2PackageBackend(Sam2PackagePredictor, MaskBackend):
    """SAM 2 through the ``sam2`` package (:class:`mmext.utils.sam2_prompts.
    Sam2PackagePredictor`, shared with the food masks), errors naming the refiner's fields.

    Args:
        config: sam2 config name, e.g. ``'configs/sam2.1/sam2.1_hiera_l.yaml'``.
        checkpoint: path of the ``.pt`` weights; None builds random weights (tests only).
        device: torch device string.
        hydra_overrides: extra hydra overrides for ``build_sam2`` (e.g. a tiny test model).
    """

    name = 'sam2'
    FIELD = 'refiner.backend'
    DEVICE_FIELD = 'pseudo_labels.refiner.backend.device'


class HFSam2Backend(HFSam2Predictor, MaskBackend):
    """SAM 2 through transformers (:class:`mmext.utils.sam2_prompts.HFSam2Predictor`, shared
    with the food masks), errors naming the refiner's fields.

    Args:
        model: hub id (``'facebook/sam2.1-hiera-large'``) or local directory, or a built
            ``Sam2Model``.
        processor: None to load from ``model`` (when it is a path/id), or a built processor.
        device: torch device string.
    """

    name = 'hf'
    FIELD = 'refiner.backend'
    DEVICE_FIELD = 'pseudo_labels.refiner.backend.device'


class ThermalOtsuBackend(MaskBackend):
    """Weight-free classical segmentation of warm (bright) objects inside each box.

    Args:
        margin: fraction of the box size added on each side before thresholding, so a box
            that cuts the object still sees its extent.
        min_contrast: minimum intensity difference between the Otsu classes; below it the
            box is considered to hold no distinct object (empty mask). The default margin 0
            suits teacher boxes that enclose their object (measured on the synthetic set:
            margin 0.25 pulled in neighbours and lowered precision).
    """

    name = 'thermal_otsu'

    def __init__(self, margin: float = 0.0, min_contrast: float = 12.0) -> None:
        self.margin = margin
        self.min_contrast = min_contrast

    def predict_masks(self, image: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        """One Otsu segmentation per box (boxes are independent)."""
        boxes = _check_inputs(image, boxes)
        h, w = image.shape[:2]
        gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        masks = np.zeros((len(boxes), h, w), bool)
        for i, box in enumerate(boxes):
            masks[i] = self._segment(gray, box)
        return masks

    def _segment(self, gray: np.ndarray, box: np.ndarray) -> np.ndarray:
        h, w = gray.shape
        bw, bh = box[2] - box[0], box[3] - box[1]
        x0 = int(max(0, np.floor(box[0] - self.margin * bw)))
        y0 = int(max(0, np.floor(box[1] - self.margin * bh)))
        x1 = int(min(w, np.ceil(box[2] + self.margin * bw)))
        y1 = int(min(h, np.ceil(box[3] + self.margin * bh)))
        out = np.zeros((h, w), bool)
        crop = gray[y0:y1, x0:x1]
        if crop.size < 4:
            return out
        thr, fg = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        fg = fg > 0
        if not fg.any() or fg.all():
            return out
        if crop[fg].mean() - crop[~fg].mean() < self.min_contrast:
            return out
        n, labels, stats, _ = cv2.connectedComponentsWithStats(fg.astype(np.uint8), 8)
        keep = self._components_in_box(labels, stats, n, box, (x0, y0))
        out[y0:y1, x0:x1] = np.isin(labels, keep)
        return out

    @staticmethod
    def _components_in_box(labels, stats, n, box, offset) -> List[int]:
        """Components overlapping the original box, keeping those >= 10% of the largest."""
        ox, oy = offset
        bx0, by0, bx1, by1 = box[0] - ox, box[1] - oy, box[2] - ox, box[3] - oy
        cand = []
        for k in range(1, n):
            x, y, cw, ch, area = stats[k]
            if x < bx1 and x + cw > bx0 and y < by1 and y + ch > by0:
                cand.append((area, k))
        if not cand:
            return []
        largest = max(a for a, _ in cand)
        return [k for a, k in cand if a >= 0.1 * largest]


def build_mask_backend(cfg: dict) -> MaskBackend:
    """Build a backend from ``dict(type='sam2'|'hf'|'thermal_otsu', **kwargs)``."""
    cfg = dict(cfg)
    kind = cfg.pop('type', None)
    backends = {'sam2': Sam2PackageBackend, 'hf': HFSam2Backend,
                'thermal_otsu': ThermalOtsuBackend}
    if kind not in backends:
        raise ValueError(f'unknown mask backend type {kind!r}; expected one of '
                         f'{sorted(backends)}')
    return backends[kind](**cfg)
