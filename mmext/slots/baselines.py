"""Trivial object-discovery baselines, the floor any slot model must clear.

* ``single``: every pixel in one slot (FG-ARI 0 whenever a frame shows >= 2 objects);
* ``grid``: a fixed ``rows x cols`` grid of rectangular masks, the same for every frame.

:func:`evaluate_baseline` scores one of them with :class:`ObjectDiscoveryMetric` on a built
MOVi dataset, exactly as a model's predictions would be scored.
"""
from typing import Dict

import numpy as np
import torch

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


def evaluate_baseline(dataset, kind: str = 'grid', rows: int = 2, cols: int = 2,
                      video_level: bool = False) -> Dict[str, float]:
    """Score a trivial baseline on every item of a MOVi ``dataset`` (packed items)."""
    metric = ObjectDiscoveryMetric(video_level=video_level)
    for i in range(len(dataset)):
        gt = dataset[i]['data_samples'].gt_masks
        t, h, w = gt.shape
        if kind == 'single':
            masks = single_slot_masks(t, h, w)
        elif kind == 'grid':
            masks = grid_masks(t, h, w, rows, cols)
        else:
            raise ValueError(f"kind must be 'single' or 'grid', got {kind!r}")
        metric.process({}, [dict(pred_masks=masks, gt_masks=gt)])
    return metric.compute_metrics(metric.results)
