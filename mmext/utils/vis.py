"""Small drawing helpers the families' visualisations share (OpenCV, BGR uint8)."""
import os
import os.path as osp
from typing import Any, Optional

import cv2
import numpy as np
import torch

__all__ = ['colorize', 'label_panel', 'to_numpy', 'test_show_dir']


def to_numpy(x: Any) -> Optional[np.ndarray]:
    """Tensor / array-like -> numpy (``None`` stays ``None``); a leading singleton channel
    of a 3-D map is dropped (``(1, H, W)`` -> ``(H, W)``)."""
    if x is None:
        return None
    x = x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    return x[0] if x.ndim == 3 and x.shape[0] == 1 else x


def test_show_dir(runner: Any, out_dir: Optional[str], default: str = 'vis') -> str:
    """Folder for test panels (``tools/test.py --show-dir``): relative paths go under
    ``<work_dir>/<timestamp>/`` as in mmdet's ``DetVisualizationHook``; created."""
    out_dir = out_dir or default
    if not osp.isabs(out_dir):
        out_dir = osp.join(runner.work_dir, runner.timestamp, out_dir)
    os.makedirs(out_dir, exist_ok=True)
    return out_dir


def colorize(value: np.ndarray, vmin: float, vmax: float, valid: Optional[np.ndarray] = None,
             cmap: int = cv2.COLORMAP_TURBO, invert: bool = True) -> np.ndarray:
    """Scalar map -> BGR uint8 with an OpenCV colour map; invalid pixels black.

    Args:
        value: ``(H, W)`` values.
        vmin: Value mapped to one end of the colour map.
        vmax: Value mapped to the other end.
        valid: Optional ``(H, W)`` boolean mask; ``False`` pixels are drawn black.
        cmap: OpenCV colour map (turbo for depth, magma for disparity, ...).
        invert: Map ``vmin`` to the *top* of the colour map (depth: near = warm).
    """
    x = np.clip((value - vmin) / max(vmax - vmin, 1e-9), 0, 1)
    img = cv2.applyColorMap((255 * ((1 - x) if invert else x)).astype(np.uint8), cmap)
    if valid is not None:
        img[~valid] = 0
    return img


def label_panel(img: np.ndarray, text: str) -> np.ndarray:
    """Copy of ``img`` with ``text`` written in its top-left corner (white on black outline)."""
    out = img.copy()
    cv2.putText(out, text, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(out, text, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 255), 1,
                cv2.LINE_AA)
    return out
