"""Small drawing helpers the families' visualisations share (OpenCV, BGR uint8)."""
from typing import Optional

import cv2
import numpy as np

__all__ = ['colorize', 'label_panel']


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
