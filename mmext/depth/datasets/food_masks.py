"""Food masks derived from ground-truth depth, for Nutrition5k volume labels without masks.

Two named methods (``method=``):

* ``'table'`` -- height above the RANSAC table plane > ``height_thr`` (6 mm), opened with a
  2-pixel square; optional hysteresis growth (``grow_thr``). mmext's first form (the lab's
  log 001 has no depth-derived masks: it uses Nutrition5k's or QwenVL + SAM masks). On trays
  with plates it takes the plate as food: +632% mean volume bias on 36 synthetic-twin trays
  (``benchmarks/food_mask_bias.py``).
* ``'plate'`` -- height above the *support surface* the food stands on: the table plane
  first (the lowest large plane: a RANSAC plane with > 10% of the pixels more than
  ``object_thr`` below it is refitted on those), then the dish (the largest connected
  region higher than ``object_thr`` above the table), then the dominant flat surface inside
  the dish (RANSAC plane: the plate top); foods = dish regions higher than ``height_thr``
  (3 mm) above that plane on heights box-filtered over ``smooth`` px (against depth noise),
  opened, components smaller than ``min_area`` dropped; their outline = the connected raw
  pixels higher than ``grow_thr`` (1.5 mm; ``height_thr`` without growth). When no plate is
  found (no flat surface holding ``min_support_frac`` of the dish, one tilted more than
  ``max_support_tilt`` from the table, or nothing on it) the support is the table: the same
  thresholds above the table plane. So an empty plate counts as food, and bowls (curved
  support) are not modelled -- the synthetic twin has flat plates only; check masks on real
  dishes (``food_volume_report.py`` worst-N panels show them).

Measured on the synthetic twin: ``benchmarks/food_mask_bias.py`` (docs/food.md).
"""
from typing import Optional

import cv2
import numpy as np
import torch

from mmext.geometry import dilate, erode, fit_plane_ransac, height_map, pixel_rays

__all__ = ['derive_food_mask', 'MASK_METHODS', 'MASK_DEFAULTS']

MASK_METHODS = ('table', 'plate')
# Thresholds (m) used when ``height_thr`` / ``grow_thr`` are None. 'plate': 3 mm + growth to
# 1.5 mm had the smallest bias of the thresholds tried on the synthetic twin (2/3/4/6 mm,
# with and without growth; docs/food.md, "Food masks").
MASK_DEFAULTS = {'table': dict(height_thr=0.006, grow_thr=None),
                 'plate': dict(height_thr=0.003, grow_thr=0.0015)}


def _open(m: np.ndarray, radius: int = 2) -> np.ndarray:
    t = torch.from_numpy(m)[None]
    return dilate(erode(t, radius), radius)[0].numpy()


def _grow(core: np.ndarray, low: np.ndarray) -> np.ndarray:
    """Add the connected components of ``low`` that touch ``core`` (hysteresis)."""
    n, labels = cv2.connectedComponents(low.astype(np.uint8), connectivity=8)
    keep = np.zeros(n, bool)
    keep[np.unique(labels[core & low])] = True
    keep[0] = False
    return core | keep[labels]


def _smooth(h: np.ndarray, size: int) -> np.ndarray:
    """Box filter of a height map (``size`` px; 1: none): 1 mm depth noise -> 1/size mm."""
    if size <= 1:
        return h
    return cv2.blur(h.astype(np.float32), (size, size), borderType=cv2.BORDER_REPLICATE)


def _largest_component(m: np.ndarray) -> np.ndarray:
    n, labels, stats, _ = cv2.connectedComponentsWithStats(m.astype(np.uint8), connectivity=8)
    if n <= 1:
        return np.zeros_like(m, bool)
    return labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))


def _drop_small(m: np.ndarray, min_area: int) -> np.ndarray:
    n, labels, stats, _ = cv2.connectedComponentsWithStats(m.astype(np.uint8), connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] >= min_area
    keep[0] = False
    return keep[labels]


def derive_food_mask(depth_m: np.ndarray, K: np.ndarray, height_thr: Optional[float] = None,
                     ransac_threshold: float = 0.003, seed: int = 0,
                     grow_thr: Optional[float] = None, method: str = 'table',
                     object_thr: float = 0.003, min_support_frac: float = 0.3,
                     max_support_tilt: float = 0.2, min_area: int = 50,
                     support_threshold: float = 0.0015, smooth: int = 5) -> np.ndarray:
    """Food mask from a ground-truth depth map (see the module docstring for the methods).

    Args:
        depth_m: ``(H, W)`` z-depth in metres (0 = missing).
        K: ``(3, 3)`` intrinsics.
        height_thr: Food threshold (m): above the table (``'table'``) or above the plate
            (``'plate'``); None: :data:`MASK_DEFAULTS` of the method (6 mm / 3 mm).
        ransac_threshold: Inlier distance (m) of the RANSAC plane fits.
        seed: Seed of the RANSAC sampling.
        grow_thr: Hysteresis height (m): connected regions higher than it (above the same
            surface) that touch the mask are added; None: the method's default (off for
            ``'table'``, 1.5 mm for ``'plate'``); ``0``: off.
        method: ``'table'`` or ``'plate'``.
        object_thr: ``'plate'``: height above the table (m) that delimits the dish.
        min_support_frac: ``'plate'``: share of the dish's pixels the plate plane must hold.
        max_support_tilt: ``'plate'``: largest angle (rad) between plate and table normals.
        min_area: ``'plate'``: smallest food component kept (pixels).
        support_threshold: ``'plate'``: inlier distance (m) of its table and plate fits
            (tighter than ``ransac_threshold``: with 3 mm a plane straddling the table and a
            4 mm plate can collect more inliers than the table itself).
        smooth: ``'plate'``: box filter size (px) of the height maps the dish and food
            thresholds are applied to (depth noise would break thin borders and low foods
            into speckle that the opening removes).

    Returns:
        ``(H, W)`` bool mask.
    """
    if method not in MASK_METHODS:
        raise ValueError(f'food mask method must be one of {MASK_METHODS}, got {method!r}')
    if height_thr is None:
        height_thr = MASK_DEFAULTS[method]['height_thr']
    if grow_thr is None:
        grow_thr = MASK_DEFAULTS[method]['grow_thr']
    if grow_thr is not None and grow_thr <= 0:
        grow_thr = None
    d = torch.from_numpy(depth_m.astype(np.float64))[None]
    Kt = torch.as_tensor(K, dtype=torch.float64)[None]
    valid = (d > 0)[0].numpy()
    pts = pixel_rays(Kt, d.shape[-2:]) * d.unsqueeze(-1)

    def table_mask(threshold: float, lowest: bool):
        gen = torch.Generator().manual_seed(seed)
        cand = d > 0
        for _ in range(3 if lowest else 1):
            table = fit_plane_ransac(pts, cand, iterations=200, threshold=threshold,
                                     generator=gen)
            h = height_map(d, Kt, table)[0].numpy()
            # The camera looks down: the table is the lowest large surface. A plane with
            # many pixels below it is a plate (or a plane straddling table and plate):
            # refit on the pixels below.
            below = (h < -object_thr) & valid
            if not lowest or below.sum() < 0.1 * valid.sum():
                break
            cand = torch.from_numpy(below)[None]
        core = _open((h > height_thr) & valid)
        if grow_thr is not None:
            core = _grow(core, (h > grow_thr) & valid)
        return core, table, h, gen

    if method == 'table':
        return table_mask(ransac_threshold, lowest=False)[0]
    core, table, h, gen = table_mask(support_threshold, lowest=True)
    dish = _largest_component(_open((_smooth(h, smooth) > object_thr) & valid))
    if dish.sum() < 3:
        return core
    plate = fit_plane_ransac(pts, torch.from_numpy(dish)[None], iterations=200,
                             threshold=support_threshold, generator=gen)
    hp = height_map(d, Kt, plate)[0].numpy()
    support = dish & (np.abs(hp) < 2 * support_threshold)
    cos_tilt = float((plate[0, :3] * table[0, :3]).sum().abs())
    if support.sum() < min_support_frac * dish.sum() or cos_tilt < np.cos(max_support_tilt):
        return core
    # Foods are found on the smoothed heights (robust to noise), their outline is taken from
    # the raw ones: a mask reaching past a food's occluding edge onto the plate adds the
    # depth jump's footprint to the volume (+6..+11% on the twin with smoothed outlines).
    seeds = _drop_small(_open(dish & (_smooth(hp, smooth) > height_thr)), min_area)
    if not seeds.any():
        return core
    raw = dish & (hp > (grow_thr if grow_thr is not None else height_thr))
    return _grow(seeds & raw, raw)
