"""Box geometry for pseudo-labels: mask -> box, IoU, mapping boxes between cameras."""
from typing import Optional

import numpy as np


def mask_to_box(mask: np.ndarray) -> Optional[np.ndarray]:
    """Tight box of a binary mask in pixel-edge coordinates ``[x0, y0, x1, y1]``.

    A mask covering columns 3..7 and rows 2..4 gives ``[3, 2, 8, 5]`` (the box encloses the
    pixels, as COCO boxes do). Returns None for an empty mask.
    """
    ys, xs = np.nonzero(mask)
    if xs.size == 0:
        return None
    return np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=np.float64)


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU matrix of xyxy boxes ``a`` (N, 4) and ``b`` (M, 4)."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(-1)
    area_a = (a[:, 2:] - a[:, :2]).clip(0).prod(-1)
    area_b = (b[:, 2:] - b[:, :2]).clip(0).prod(-1)
    union = area_a[:, None] + area_b[None] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def map_boxes(boxes: np.ndarray, matrix: np.ndarray,
              clip_shape: Optional[tuple] = None) -> np.ndarray:
    """Map xyxy boxes through a 3x3 homography (or 2x3 affine) to the enclosing boxes.

    Args:
        boxes: (N, 4) boxes in the source image.
        matrix: 3x3 homography or 2x3 affine, source pixels -> target pixels.
        clip_shape: optional (height, width) of the target image to clip to.
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    m = np.asarray(matrix, dtype=np.float64)
    if m.shape == (2, 3):
        m = np.vstack([m, [0, 0, 1]])
    if m.shape != (3, 3):
        raise ValueError(f'expected a 3x3 homography or 2x3 affine matrix, got {m.shape}')
    x0, y0, x1, y1 = boxes.T
    corners = np.stack([np.stack([x0, y0]), np.stack([x1, y0]), np.stack([x0, y1]),
                        np.stack([x1, y1])], axis=0)  # (4, 2, N)
    pts = np.concatenate([corners, np.ones((4, 1, boxes.shape[0]))], axis=1)
    mapped = np.einsum('ij,kjn->kin', m, pts)
    xy = mapped[:, :2] / mapped[:, 2:3]
    out = np.stack([xy[:, 0].min(0), xy[:, 1].min(0), xy[:, 0].max(0), xy[:, 1].max(0)], 1)
    if clip_shape is not None:
        h, w = clip_shape
        out[:, [0, 2]] = out[:, [0, 2]].clip(0, w)
        out[:, [1, 3]] = out[:, [1, 3]].clip(0, h)
    return out
