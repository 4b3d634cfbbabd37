"""Road / instance masks for self-supervised road depth from a segmentation model's output
(what FUMET needs for every training frame; the log used OneFormer, Mask2Former panoptic is
mmdet's counterpart). Pure array functions; ``tools/dataset_converters/make_road_masks.py``
runs an mmdet checkpoint over a split and writes the files (:mod:`.datasets.road_masks`).
"""
from typing import List, Mapping, Optional, Sequence, Tuple

import cv2
import numpy as np

__all__ = ['clean_fragments', 'masks_from_panoptic', 'masks_from_instances']


def clean_fragments(mask: np.ndarray, keep_ratio: float = 0.5, max_gap: int = 4) -> np.ndarray:
    """Drop the stray pieces of one instance mask.

    Log 002 (L403): transformer segmenters put parts of an object far away from it; those
    fragments make the pixel height (``v_max - v_min``) wrong. The largest 8-connected
    component is kept, and another component only when it has at least ``keep_ratio`` of
    the largest's area *and* its box lies within ``max_gap`` pixels of the largest's box (an
    object split by an occluder such as a pole).

    Args:
        mask: ``(H, W)`` bool mask.
        keep_ratio: Smallest area of a kept secondary component, relative to the largest.
        max_gap: Largest box distance (pixels) of a kept secondary component.

    Returns:
        The cleaned ``(H, W)`` bool mask (empty stays empty).
    """
    mask = np.asarray(mask, bool)
    if not mask.any():
        return mask
    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n <= 2:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    big = int(np.argmax(areas)) + 1
    x, y, w, h = (stats[big, k] for k in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP, cv2.CC_STAT_WIDTH,
                                           cv2.CC_STAT_HEIGHT))
    keep = [big]
    for c in range(1, n):
        if c == big or stats[c, cv2.CC_STAT_AREA] < keep_ratio * areas[big - 1]:
            continue
        cx, cy, cw, ch = (stats[c, k] for k in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP,
                                                 cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT))
        gap_x = max(0, max(cx - (x + w), x - (cx + cw)))
        gap_y = max(0, max(cy - (y + h), y - (cy + ch)))
        if max(gap_x, gap_y) <= max_gap:
            keep.append(c)
    return np.isin(lab, keep)


def _assemble(instance_masks: Sequence[np.ndarray], names: Sequence[str], shape,
              min_area: int, keep_ratio: float, max_gap: int) -> Tuple[np.ndarray, List[str]]:
    inst = np.zeros(shape, np.int32)
    labels: List[str] = []
    for m, name in zip(instance_masks, names):
        m = clean_fragments(m, keep_ratio, max_gap) & (inst == 0)
        if int(m.sum()) < min_area:
            continue
        labels.append(name)
        inst[m] = len(labels)
    return inst, labels


def masks_from_panoptic(panoptic: np.ndarray, classes: Sequence[str],
                        class_map: Mapping[str, str], road_classes: Sequence[str],
                        instance_offset: int = 1000, min_area: int = 20,
                        keep_ratio: float = 0.5, max_gap: int = 4
                        ) -> Tuple[np.ndarray, np.ndarray, List[str]]:
    """An mmdet panoptic map (``label + id * instance_offset``; ``label == len(classes)`` is
    void) -> ``(road bool (H, W), instances int32 (H, W), labels)``.

    Segments whose class is mapped by ``class_map`` (model class -> mmext class, e.g.
    ``{'car': 'car', 'truck': 'car', 'person': 'pedestrian'}``) become instances (cleaned,
    at least ``min_area`` pixels, larger segments first); pixels of ``road_classes`` form
    the road.
    """
    pan = np.asarray(panoptic).astype(np.int64)
    lab = pan % instance_offset
    road_ids = [i for i, c in enumerate(classes) if c in set(road_classes)]
    missing = set(road_classes) - set(classes)
    if missing:
        raise ValueError(f'road classes {sorted(missing)} are not among the model classes')
    road = np.isin(lab, road_ids)
    segs, names = [], []
    for v in np.unique(pan):
        c = int(v % instance_offset)
        if c >= len(classes) or classes[c] not in class_map:
            continue
        segs.append(pan == v)
        names.append(class_map[classes[c]])
    order = np.argsort([-int(s.sum()) for s in segs], kind='stable')
    inst, labels = _assemble([segs[i] for i in order], [names[i] for i in order], pan.shape,
                             min_area, keep_ratio, max_gap)
    return road, inst, labels


def masks_from_instances(masks: np.ndarray, labels: np.ndarray, scores: np.ndarray,
                         classes: Sequence[str], class_map: Mapping[str, str],
                         score_thr: float = 0.5, road: Optional[np.ndarray] = None,
                         min_area: int = 20, keep_ratio: float = 0.5, max_gap: int = 4
                         ) -> Tuple[np.ndarray, np.ndarray, List[str]]:
    """mmdet ``pred_instances`` (``masks (N, H, W)``, ``labels``, ``scores``) ->
    ``(road, instances, labels)``: instances above ``score_thr`` of mapped classes, the
    highest score owning an overlapped pixel; ``road`` from elsewhere (all False if None).
    """
    masks = np.asarray(masks, bool)
    H, W = masks.shape[1:] if masks.ndim == 3 else (road.shape if road is not None else (0, 0))
    order = np.argsort(-np.asarray(scores), kind='stable')
    segs, names = [], []
    for i in order:
        c = int(labels[i])
        if scores[i] < score_thr or c >= len(classes) or classes[c] not in class_map:
            continue
        segs.append(masks[i])
        names.append(class_map[classes[c]])
    inst, out_labels = _assemble(segs, names, (H, W), min_area, keep_ratio, max_gap)
    road = np.zeros((H, W), bool) if road is None else np.asarray(road, bool)
    return road, inst, out_labels
