"""Self-supervised depth result panels and the per-epoch camera-height curve."""
import math
from typing import Dict, List, Optional

import cv2
import numpy as np
import torch

from mmext.geometry import backproject, road_heights
from mmext.utils.vis import colorize, label_panel


def disparity_image(disp: np.ndarray) -> np.ndarray:
    """Disparity -> BGR with magma, clipped at its 95th percentile (monodepth2's display)."""
    vmax = float(np.percentile(disp, 95))
    return colorize(disp, float(disp.min()), vmax, cmap=cv2.COLORMAP_MAGMA, invert=False)


def road_overlay(bgr: np.ndarray, depth: np.ndarray, K: np.ndarray,
                 road_mask: np.ndarray, tol: float = 0.15) -> np.ndarray:
    """Tint the pixels within ``tol`` m of the road plane fitted on ``road_mask``.

    The plane comes from the predicted depth (FUMET's normals, ``h = median(-n.X)``);
    every pixel's height above it is ``h + n.X``. Pixels on the plane are tinted green,
    pixels below it blue; the frame's camera height is printed.
    """
    d = torch.from_numpy(depth.astype(np.float64))[None, None]
    Kt = torch.as_tensor(K, dtype=torch.float64)[None]
    info = road_heights(d, Kt, torch.from_numpy(road_mask.astype(bool))[None])
    h, n = float(info['height'][0]), info['normal'][0]
    out = bgr.copy()
    if not math.isfinite(h):
        return label_panel(out, 'road plane: too few road pixels')
    above = (h + (backproject(d, Kt)[0] * n).sum(-1)).numpy()
    on = np.abs(above) < tol
    below = above < -tol
    out[on] = (0.5 * out[on] + 0.5 * np.array([0, 220, 0])).astype(np.uint8)
    out[below] = (0.5 * out[below] + 0.5 * np.array([255, 80, 0])).astype(np.uint8)
    return label_panel(out, f'road plane, camera height {h:.2f} m')


def selfsup_panel(rgb: np.ndarray, depth: np.ndarray, K: Optional[np.ndarray] = None,
                  road_mask: Optional[np.ndarray] = None,
                  gt: Optional[np.ndarray] = None) -> np.ndarray:
    """RGB | disparity | depth (vs GT range) [| |error| ] [| road-plane overlay], BGR.

    All panels have the prediction's size; ``gt`` (sparse or dense, 0 = invalid) is resized
    nearest for the error panel.
    """
    H, W = depth.shape
    rgb = cv2.resize(rgb, (W, H)) if rgb.shape[:2] != (H, W) else rgb
    bgr = np.ascontiguousarray(rgb[..., ::-1])
    panels = [label_panel(bgr, 'RGB'), label_panel(disparity_image(1.0 / depth), 'disparity')]
    if gt is not None:
        g = cv2.resize(gt.astype(np.float32), (W, H), interpolation=cv2.INTER_NEAREST)
        valid = g > 0
        hi = float(np.percentile(g[valid], 99)) if valid.any() else float(depth.max())
        panels.append(label_panel(colorize(depth, 0.0, hi), f'depth (0-{hi:.0f} m)'))
        rel = np.zeros_like(g)
        rel[valid] = np.abs(depth[valid] - g[valid]) / g[valid]
        err = cv2.applyColorMap(np.clip(rel / 0.3 * 255, 0, 255).astype(np.uint8),
                                cv2.COLORMAP_INFERNO)
        err[~valid] = 0
        txt = f'abs rel {rel[valid].mean():.3f} (0-0.3)' if valid.any() else 'abs rel'
        panels.append(label_panel(err, txt))
    else:
        panels.append(label_panel(colorize(depth, 0.0, float(np.percentile(depth, 99))),
                                  'depth'))
    if road_mask is not None and K is not None:
        panels.append(road_overlay(bgr, depth, K, road_mask))
    return np.concatenate(panels, axis=1)


def plot_camera_height_curve(history: List[Dict], path: str,
                             reference: Optional[float] = None) -> None:
    """PNG of the per-epoch estimate and moving-average target (and a reference line)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    ep = [h['epoch'] for h in history]
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot(ep, [h.get('estimate', math.nan) for h in history], 'o-', label='estimate')
    ax.plot(ep, [h.get('target', math.nan) for h in history], 's--', label='target (EMA)')
    if reference is not None:
        ax.axhline(reference, color='k', lw=0.8, ls=':', label=f'reference {reference} m')
    ax.set_xlabel('epoch')
    ax.set_ylabel('camera height (m)')
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
