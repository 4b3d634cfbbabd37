"""Trivial object-discovery baselines, the floor any slot model must clear.

* ``single``: every pixel in one slot (FG-ARI 0 whenever a frame shows >= 2 objects);
* ``grid``: a fixed ``rows x cols`` grid of rectangular masks, the same for every frame.

And one upper bound, for the resolution of a model's masks:

* ``oracle``: the GT masks area-averaged to a ``rows x cols`` token grid and bilinearly
  upsampled back, as a model's patch-level masks are. The best score masks predicted on
  that grid can reach (e.g. a 16 x 16 grid for patch-4 tokens of a 64 px image).

:func:`evaluate_baseline` scores one of them with :class:`ObjectDiscoveryMetric` on a built
MOVi dataset, exactly as a model's predictions would be scored.
"""
from typing import Dict

import numpy as np
import torch
import torch.nn.functional as F

from .metrics import ObjectDiscoveryMetric


def single_slot_masks(frames: int, height: int, width: int) -> torch.Tensor:
    """Masks (T, 1, H, W) putting every pixel in one slot."""
    return torch.ones(frames, 1, height, width)


def grid_masks(frames: int, height: int, width: int, rows: int = 2,
               cols: int = 2) -> torch.Tensor:
    """Masks (T, rows*cols, H, W) of a fixed rectangular grid."""
    ys = np.minimum(np.arange(height) * rows // height, rows - 1)
    xs = np.minimum(np.arange(width) * cols // width, cols - 1)
    cell = torch.from_numpy(ys[:, None] * cols + xs[None, :])
    masks = torch.nn.functional.one_hot(cell, rows * cols).permute(2, 0, 1).float()
    return masks.unsqueeze(0).expand(frames, -1, -1, -1).contiguous()


def oracle_grid_masks(gt: torch.Tensor, rows: int, cols: int) -> torch.Tensor:
    """GT masks seen through a ``rows x cols`` token grid, (T, I, H, W).

    Args:
        gt: GT instance ids (T, H, W) (0 = background).
        rows: Token grid height.
        cols: Token grid width.

    Returns:
        One soft mask per GT id present: the one-hot GT area-averaged to the grid and
        bilinearly upsampled to (H, W) (``align_corners=False``, as the slot models do).
    """
    ids = torch.unique(gt)
    onehot = (gt.unsqueeze(1) == ids.view(1, -1, 1, 1)).float()  # (T, I, H, W)
    low = F.adaptive_avg_pool2d(onehot, (rows, cols))
    return F.interpolate(low, size=tuple(gt.shape[-2:]), mode='bilinear',
                         align_corners=False)


def evaluate_baseline(dataset, kind: str = 'grid', rows: int = 2, cols: int = 2,
                      video_level: bool = False) -> Dict[str, float]:
    """Score a trivial baseline (or the ``oracle`` bound) on every item of a MOVi
    ``dataset`` (packed items)."""
    metric = ObjectDiscoveryMetric(video_level=video_level)
    for i in range(len(dataset)):
        gt = dataset[i]['data_samples'].gt_masks
        t, h, w = gt.shape
        if kind == 'single':
            masks = single_slot_masks(t, h, w)
        elif kind == 'grid':
            masks = grid_masks(t, h, w, rows, cols)
        elif kind == 'oracle':
            masks = oracle_grid_masks(torch.as_tensor(gt), rows, cols)
        else:
            raise ValueError(f"kind must be 'single', 'grid' or 'oracle', got {kind!r}")
        metric.process({}, [dict(pred_masks=masks, gt_masks=gt)])
    return metric.compute_metrics(metric.results)
