"""Reference definitions of the object-discovery scores, on integer label maps.

All functions take numpy arrays of integer labels (any shape; they are flattened) unless
said otherwise. ``pred`` labels are slot indices (the argmax of the slot masks), ``gt``
labels are instance ids with ``0`` = background (the MOVi convention).

Definitions:
    * **ARI** -- the adjusted Rand index of two partitions, written exactly as
      scikit-learn's ``adjusted_rand_score``: with the pair confusion matrix
      ``[[tn, fp], [fn, tp]]`` over all unordered pixel pairs,
      ``ARI = 2 (tp tn - fn fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn))`` and
      ``ARI = 1`` when ``fn == fp == 0`` (identical partitions, also the empty case).
    * **FG-ARI** -- ARI restricted to pixels whose GT label is not background (the OCL
      framework drops the background GT channel). ``1.0`` if there are no such pixels (the
      OCL / VideoSAUR convention; ``empty=nan`` for "undefined").
    * **mBO** -- for every non-empty GT mask the best IoU with any predicted (argmax) mask,
      averaged over the GT masks (background excluded when ``ignore_background``).
    * **Hungarian mIoU** -- one-to-one matching of GT masks to predicted masks maximising
      total IoU (``scipy.optimize.linear_sum_assignment``); matched IoUs summed and divided
      by the number of non-empty GT masks (unmatched GT masks count as 0).
    * **mask stability** -- Hungarian-matched IoU between the non-empty segments of two
      predictions of the same image (e.g. before / after a fixed colour jitter), summed and
      divided by ``max(#segments_a, #segments_b)``: 1 iff the two partitions are equal up
      to a permutation of slots.
    * **slot diversity** -- mean cosine similarity of slot vectors over ordered pairs
      ``i != j`` (lower = more diverse; -1/(K-1) is the minimum for K slots).
    * **temporal consistency** -- for every GT object visible in frames t and t+1, its
      majority slot (the slot covering most of its pixels) in t equals the one in t+1; the
      fraction of such (object, t) pairs that agree. ``nan`` if there are none.
"""
from typing import Tuple

import numpy as np
from scipy.optimize import linear_sum_assignment


def _as_labels(x: np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(x)
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f'{name} must hold integer labels, got dtype {arr.dtype}')
    return arr.reshape(-1)


def pair_confusion(labels_true: np.ndarray, labels_pred: np.ndarray) -> Tuple[int, ...]:
    """Counts (tn, fp, fn, tp) of unordered pixel pairs, as exact Python integers.

    ``tp``: pairs together in both partitions; ``fn``: together in ``labels_true`` only;
    ``fp``: together in ``labels_pred`` only; ``tn``: apart in both. (scikit-learn's
    ``pair_confusion_matrix`` counts ordered pairs, i.e. twice these; ARI is unchanged.)
    """
    t = _as_labels(labels_true, 'labels_true')
    p = _as_labels(labels_pred, 'labels_pred')
    if t.shape != p.shape:
        raise ValueError(f'label arrays differ in size: {t.shape} vs {p.shape}')
    n = int(t.size)
    _, ti = np.unique(t, return_inverse=True)
    _, pi = np.unique(p, return_inverse=True)
    n_p = int(pi.max()) + 1 if n else 0
    joint = np.bincount(ti.astype(np.int64) * n_p + pi, minlength=0) if n else np.zeros(0)

    def pairs(counts: np.ndarray) -> int:
        c = counts.astype(np.int64)
        return int((c * (c - 1) // 2).sum())

    together_both = pairs(joint)
    together_true = pairs(np.bincount(ti)) if n else 0
    together_pred = pairs(np.bincount(pi)) if n else 0
    total = n * (n - 1) // 2
    tp = together_both
    fn = together_true - tp
    fp = together_pred - tp
    tn = total - tp - fn - fp
    return tn, fp, fn, tp


def adjusted_rand_index(labels_true: np.ndarray, labels_pred: np.ndarray) -> float:
    """ARI of two labelings; equal to ``sklearn.metrics.adjusted_rand_score``."""
    tn, fp, fn, tp = pair_confusion(labels_true, labels_pred)
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def fg_adjusted_rand_index(gt: np.ndarray, pred: np.ndarray, background: int = 0,
                           empty: float = 1.0) -> float:
    """ARI over the pixels whose GT label differs from ``background``.

    Args:
        gt: GT instance ids.
        pred: Predicted slot ids.
        background: GT id of the background.
        empty: Score when there is no foreground pixel. ``1.0`` is the OCL framework /
            VideoSAUR convention (their ARI returns 1 when its denominator is 0, which is
            the case for zero points); pass ``float('nan')`` for "undefined".
    """
    g = _as_labels(gt, 'gt')
    p = _as_labels(pred, 'pred')
    if g.shape != p.shape:
        raise ValueError(f'gt and pred differ in size: {g.shape} vs {p.shape}')
    fg = g != background
    if not fg.any():
        return float(empty)
    return adjusted_rand_index(g[fg], p[fg])


def iou_matrix(labels_a: np.ndarray, labels_b: np.ndarray,
               ids_a: np.ndarray, ids_b: np.ndarray) -> np.ndarray:
    """IoU between the masks ``labels_a == ids_a[i]`` and ``labels_b == ids_b[j]``."""
    a = _as_labels(labels_a, 'labels_a')
    b = _as_labels(labels_b, 'labels_b')
    if a.shape != b.shape:
        raise ValueError(f'label maps differ in size: {a.shape} vs {b.shape}')
    ma = a[None, :] == np.asarray(ids_a).reshape(-1, 1)
    mb = b[None, :] == np.asarray(ids_b).reshape(-1, 1)
    inter = ma.astype(np.float64) @ mb.T.astype(np.float64)
    union = ma.sum(1)[:, None] + mb.sum(1)[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 0.0)


def _gt_ids(gt: np.ndarray, ignore_background: bool, background: int) -> np.ndarray:
    ids = np.unique(gt)
    return ids[ids != background] if ignore_background else ids


def mean_best_overlap(gt: np.ndarray, pred: np.ndarray, ignore_background: bool = True,
                      background: int = 0) -> float:
    """mBO: mean over non-empty GT masks of the best IoU with a predicted mask."""
    g, p = _as_labels(gt, 'gt'), _as_labels(pred, 'pred')
    gids = _gt_ids(g, ignore_background, background)
    if gids.size == 0:
        return float('nan')
    ious = iou_matrix(g, p, gids, np.unique(p))
    return float(ious.max(axis=1).mean())


def hungarian_miou(gt: np.ndarray, pred: np.ndarray, ignore_background: bool = True,
                   background: int = 0) -> float:
    """Mean IoU of the one-to-one GT/prediction matching that maximises total IoU."""
    g, p = _as_labels(gt, 'gt'), _as_labels(pred, 'pred')
    gids = _gt_ids(g, ignore_background, background)
    if gids.size == 0:
        return float('nan')
    ious = iou_matrix(g, p, gids, np.unique(p))
    rows, cols = linear_sum_assignment(ious, maximize=True)
    return float(ious[rows, cols].sum() / gids.size)


def mask_stability(pred_a: np.ndarray, pred_b: np.ndarray) -> float:
    """Hungarian-matched IoU between the segments of two predictions (see module doc)."""
    a, b = _as_labels(pred_a, 'pred_a'), _as_labels(pred_b, 'pred_b')
    ids_a, ids_b = np.unique(a), np.unique(b)
    if ids_a.size == 0:
        return float('nan')
    ious = iou_matrix(a, b, ids_a, ids_b)
    rows, cols = linear_sum_assignment(ious, maximize=True)
    return float(ious[rows, cols].sum() / max(ids_a.size, ids_b.size))


def slot_diversity(slots: np.ndarray) -> float:
    """Mean pairwise cosine similarity of slot vectors (K, D) over pairs i != j."""
    s = np.asarray(slots, dtype=np.float64)
    if s.ndim != 2 or s.shape[0] < 2:
        raise ValueError(f'slot_diversity needs slots (K >= 2, D), got {s.shape}')
    s = s / np.maximum(np.linalg.norm(s, axis=1, keepdims=True), 1e-12)
    sim = s @ s.T
    k = s.shape[0]
    return float((sim.sum() - np.trace(sim)) / (k * (k - 1)))


def temporal_consistency(gt: np.ndarray, pred: np.ndarray, background: int = 0) -> float:
    """Fraction of (object, t) pairs whose majority slot is the same in t and t+1.

    Args:
        gt: GT instance ids (T, H, W).
        pred: Predicted slot ids (T, H, W).
        background: GT id excluded from the objects.
    """
    g, p = np.asarray(gt), np.asarray(pred)
    if g.shape != p.shape or g.ndim != 3:
        raise ValueError(f'temporal_consistency needs gt and pred (T, H, W) of equal shape,'
                         f' got {g.shape} and {p.shape}')
    agree = total = 0
    prev = {}
    for t in range(g.shape[0]):
        cur = {}
        for obj in np.unique(g[t]):
            if obj == background:
                continue
            slots, counts = np.unique(p[t][g[t] == obj], return_counts=True)
            cur[int(obj)] = int(slots[np.argmax(counts)])
        for obj, slot in cur.items():
            if obj in prev:
                total += 1
                agree += int(prev[obj] == slot)
        prev = cur
    return agree / total if total else float('nan')
