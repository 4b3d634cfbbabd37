"""Per-slot mask pictures: overlays, grids (PNG) and animated GIFs.

A *slot grid* of one frame is a row ``[image | argmax overlay | slot 1 | ... | slot K]``
where ``slot k`` shows the image weighted by that slot's soft mask (its "attention" over
the image); a video becomes one row per frame (PNG) or one grid per GIF frame.
"""
from typing import List, Optional, Sequence

import numpy as np
from PIL import Image

PALETTE = np.array([
    [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48],
    [145, 30, 180], [70, 240, 240], [240, 50, 230], [210, 245, 60], [250, 190, 212],
    [0, 128, 128], [220, 190, 255], [170, 110, 40], [255, 250, 200], [128, 0, 0],
    [170, 255, 195]], dtype=np.float64)


def _check(image: np.ndarray, masks: np.ndarray) -> None:
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f'image must be (H, W, 3), got {image.shape}')
    if masks.ndim != 3 or masks.shape[1:] != image.shape[:2]:
        raise ValueError(f'masks must be (K, H, W) matching the image {image.shape[:2]}, '
                         f'got {masks.shape}')


def overlay_slots(image: np.ndarray, masks: np.ndarray, alpha: float = 0.55) -> np.ndarray:
    """Blend the image with one colour per slot (colour weighted by the soft masks)."""
    _check(image, masks)
    colours = PALETTE[np.arange(masks.shape[0]) % len(PALETTE)]
    colour_img = np.einsum('khw,kc->hwc', masks.astype(np.float64), colours)
    out = (1 - alpha) * image.astype(np.float64) + alpha * colour_img
    return np.clip(out, 0, 255).astype(np.uint8)


def slot_row(image: np.ndarray, masks: np.ndarray, pad: int = 2) -> np.ndarray:
    """``[image | overlay | image * mask_k for every k]`` as one uint8 row."""
    _check(image, masks)
    tiles = [image, overlay_slots(image, masks)]
    tiles += [(image.astype(np.float64) * m[..., None]).astype(np.uint8) for m in masks]
    h = image.shape[0]
    sep = np.full((h, pad, 3), 255, np.uint8)
    row: List[np.ndarray] = []
    for t in tiles:
        row += [t, sep]
    return np.concatenate(row[:-1], axis=1)


def slot_grid(frames: np.ndarray, masks: np.ndarray, pad: int = 2) -> np.ndarray:
    """Rows of :func:`slot_row` for frames (T, H, W, 3) and masks (T, K, H, W)."""
    rows = [slot_row(f, m, pad) for f, m in zip(frames, masks)]
    sep = np.full((pad, rows[0].shape[1], 3), 255, np.uint8)
    out: List[np.ndarray] = []
    for r in rows:
        out += [r, sep]
    return np.concatenate(out[:-1], axis=0)


def save_png(array: np.ndarray, path: str) -> None:
    """Write an RGB uint8 array as PNG."""
    Image.fromarray(array).save(path)


def save_gif(frames: Sequence[np.ndarray], masks: np.ndarray, path: str,
             duration_ms: int = 200, gt: Optional[np.ndarray] = None) -> None:
    """Animated GIF of :func:`slot_row` per frame (optionally with a GT overlay tile)."""
    pics = []
    for t, (f, m) in enumerate(zip(frames, masks)):
        row = slot_row(f, m)
        if gt is not None:
            onehot = (gt[t][None] == np.unique(gt)[:, None, None]).astype(np.float64)
            row = np.concatenate([overlay_slots(f, onehot), row], axis=1)
        pics.append(Image.fromarray(row))
    pics[0].save(path, save_all=True, append_images=pics[1:], duration=duration_ms, loop=0)
