"""Depth/volume result panels: RGB | GT depth | predicted depth | |error| | volume overlay."""
from typing import Optional

import cv2
import numpy as np
import torch

from mmext.geometry import compute_volume
from mmext.utils.vis import colorize
from mmext.utils.vis import label_panel as _label


def depth_panel(rgb: np.ndarray, pred: np.ndarray, gt: Optional[np.ndarray] = None,
                mask: Optional[np.ndarray] = None, K: Optional[np.ndarray] = None,
                gt_volume_m3: Optional[float] = None, ring=(5, 20)) -> np.ndarray:
    """One BGR image with the panels side by side (all at the prediction's size).

    Args:
        rgb: (H, W, 3) RGB uint8 (resized to the prediction if needed).
        pred: (H, W) predicted depth (m).
        gt: (H, W) ground-truth depth (m, 0 = invalid).
        mask: (H, W) food mask; with ``K`` adds the volume overlay panel.
        K: Intrinsics for this size.
        gt_volume_m3: True volume, printed next to the predicted one.
        ring: Plane-fit ring (inner, width) in pixels for the predicted volume.
    """
    H, W = pred.shape
    rgb = cv2.resize(rgb, (W, H)) if rgb.shape[:2] != (H, W) else rgb
    bgr = np.ascontiguousarray(rgb[..., ::-1])
    valid = gt > 0 if gt is not None else None
    ref = gt[valid] if gt is not None and valid.any() else pred.ravel()
    vmin, vmax = float(np.percentile(ref, 1)), float(np.percentile(ref, 99))
    panels = [_label(bgr, 'RGB')]
    if gt is not None:
        panels.append(_label(colorize(gt, vmin, vmax, valid), 'GT depth'))
    panels.append(_label(colorize(pred, vmin, vmax), 'predicted'))
    if gt is not None:
        err = np.abs(pred - gt)
        e = cv2.applyColorMap(np.clip(err / 0.02 * 255, 0, 255).astype(np.uint8),
                              cv2.COLORMAP_INFERNO)
        e[~valid] = 0
        panels.append(_label(e, f'|err| (0-2 cm) mean {err[valid].mean() * 100:.2f} cm'
                             if valid.any() else '|err|'))
    if mask is not None and K is not None:
        ov = bgr.copy()
        ov[mask] = (0.5 * ov[mask] + 0.5 * np.array([0, 255, 0])).astype(np.uint8)
        v = compute_volume(torch.from_numpy(pred.astype(np.float64))[None], torch.as_tensor(K,
                           dtype=torch.float64), torch.from_numpy(mask)[None],
                           ring_inner=ring[0], ring_width=ring[1]).item() * 1e6
        txt = f'V {v:.1f} mL' + (f' / true {gt_volume_m3 * 1e6:.1f}' if gt_volume_m3 else '')
        panels.append(_label(ov, txt))
    return np.concatenate(panels, axis=1)
