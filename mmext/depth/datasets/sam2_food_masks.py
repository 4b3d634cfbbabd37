"""Food masks from SAM 2 box / point prompts (log 001: masks from a detector + SAM 2.1).

:class:`SAM2FoodMasker` turns one dish image into one food mask: prompts are built from the
ground-truth depth (the boxes or interior points of the depth-derived ``'plate'`` mask's
components, :func:`~mmext.depth.datasets.food_masks.derive_food_mask`) or from the image
alone (one positive point at the image centre); SAM 2 segments each prompt and the food mask
is the union of the masks. SAM 2 comes from :mod:`mmext.utils.sam2_prompts` (the ``sam2``
package or transformers). ``tools/dataset_converters/nutrition5k_sam2_masks.py`` writes the
masks of a split as ``<mask_dir>/<dish_id>.png`` for ``Nutrition5kDataset(mask_dir=...)``.

Log 001 prompts SAM 2.1 with QwenVL's dish boxes; QwenVL is not wired here -- depth boxes
play the detector's part (Nutrition5k has GT depth for every dish used for volume labels).
"""
from typing import Dict, Optional, Tuple, Union

import cv2
import numpy as np

from mmext.utils.errors import UserInputError
from mmext.utils.sam2_prompts import HFSam2Predictor, Sam2PackagePredictor
from .food_masks import derive_food_mask

__all__ = ['SAM2FoodMasker', 'PROMPT_MODES', 'food_prompts', 'build_sam2_predictor']

PROMPT_MODES = ('food_boxes', 'food_box', 'food_points', 'centre_point')


class _FoodSam2Package(Sam2PackagePredictor):
    FIELD = '--sam2-checkpoint / sam2'
    DEVICE_FIELD = '--device'


class _FoodHFSam2(HFSam2Predictor):
    FIELD = '--hf-model / sam2'
    DEVICE_FIELD = '--device'


def build_sam2_predictor(cfg: Union[Dict, object]):
    """``dict(type='sam2', config=..., checkpoint=..., device=...)`` or
    ``dict(type='hf', model=..., device=...)`` -> a predictor; a built one is returned as is."""
    if not isinstance(cfg, dict):
        return cfg
    cfg = dict(cfg)
    kind = cfg.pop('type', None)
    kinds = {'sam2': _FoodSam2Package, 'hf': _FoodHFSam2}
    if kind not in kinds:
        raise UserInputError(f'SAM 2 type must be one of {sorted(kinds)}, got {kind!r}')
    return kinds[kind](**cfg)


def food_prompts(mode: str, shape: Tuple[int, int], depth_m: Optional[np.ndarray] = None,
                 K: Optional[np.ndarray] = None, margin: int = 5, min_area: int = 50,
                 mask_method: str = 'plate') -> Dict[str, Optional[np.ndarray]]:
    """Prompts of one dish: ``{'boxes': (N, 4) xyxy or None, 'points': (N, 1, 2) or None}``.

    Args:
        mode: ``'food_boxes'`` (one box per component of the depth-derived mask, padded by
            ``margin`` px), ``'food_box'`` (one box around the whole derived mask),
            ``'food_points'`` (one positive point per component, at its most interior
            pixel) or ``'centre_point'`` (one positive point at the image centre; needs no
            depth).
        shape: Image ``(H, W)``.
        depth_m: ``(H, W)`` ground-truth depth (m), needed by the ``food_*`` modes.
        K: ``(3, 3)`` intrinsics, needed by the ``food_*`` modes.
        margin: Box padding (pixels).
        min_area: Components smaller than this (pixels) give no prompt.
        mask_method: Method of the depth-derived mask (``'plate'`` or ``'table'``).
    """
    if mode not in PROMPT_MODES:
        raise UserInputError(f'prompt mode must be one of {PROMPT_MODES}, got {mode!r}')
    H, W = shape
    if mode == 'centre_point':
        return {'boxes': None, 'points': np.array([[[(W - 1) / 2, (H - 1) / 2]]], np.float32)}
    if depth_m is None or K is None:
        raise UserInputError(f"prompt mode {mode!r} needs the dish's depth and K "
                             "(use 'centre_point' without depth)")
    mask = derive_food_mask(depth_m, K, method=mask_method)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), 8)
    comps = [k for k in range(1, n) if stats[k, cv2.CC_STAT_AREA] >= min_area]
    if not comps:
        return {'boxes': np.zeros((0, 4), np.float32), 'points': None}

    def box(m):
        ys, xs = np.nonzero(m)
        return [max(0, xs.min() - margin), max(0, ys.min() - margin),
                min(W, xs.max() + 1 + margin), min(H, ys.max() + 1 + margin)]

    if mode == 'food_box':
        return {'boxes': np.array([box(np.isin(labels, comps))], np.float32), 'points': None}
    if mode == 'food_boxes':
        return {'boxes': np.array([box(labels == k) for k in comps], np.float32),
                'points': None}
    points = []
    for k in comps:
        dist = cv2.distanceTransform((labels == k).astype(np.uint8), cv2.DIST_L2, 5)
        y, x = np.unravel_index(int(np.argmax(dist)), dist.shape)
        points.append([[float(x), float(y)]])
    return {'boxes': None, 'points': np.array(points, np.float32)}


class SAM2FoodMasker:
    """One food mask per dish image from SAM 2 prompts (see the module docstring).

    Args:
        sam2: A predictor with ``predict_masks(image, boxes=, points=)`` or its config
            (:func:`build_sam2_predictor`).
        prompt: One of :data:`PROMPT_MODES`.
        margin: Box padding (pixels).
        min_area: Smallest component of the derived mask that gets a prompt (pixels).
        mask_method: Method of the depth-derived mask the prompts come from.
    """

    def __init__(self, sam2, prompt: str = 'food_boxes', margin: int = 5, min_area: int = 50,
                 mask_method: str = 'plate') -> None:
        if prompt not in PROMPT_MODES:
            raise UserInputError(f'prompt mode must be one of {PROMPT_MODES}, got {prompt!r}')
        self.sam2 = build_sam2_predictor(sam2)
        self.prompt, self.margin, self.min_area = prompt, margin, min_area
        self.mask_method = mask_method

    def __call__(self, rgb: np.ndarray, depth_m: Optional[np.ndarray] = None,
                 K: Optional[np.ndarray] = None) -> np.ndarray:
        """``(H, W, 3)`` uint8 RGB (+ depth and K for the ``food_*`` prompts) -> ``(H, W)``
        bool food mask (empty when there is no prompt)."""
        H, W = rgb.shape[:2]
        if depth_m is not None and depth_m.shape != (H, W):
            raise ValueError(f'depth {depth_m.shape} and image {(H, W)} differ in size')
        p = food_prompts(self.prompt, (H, W), depth_m, K, self.margin, self.min_area,
                         self.mask_method)
        n = len(p['boxes']) if p['boxes'] is not None else len(p['points'])
        if n == 0:
            return np.zeros((H, W), bool)
        masks = self.sam2.predict_masks(rgb, boxes=p['boxes'], points=p['points'])
        return masks.any(0)
