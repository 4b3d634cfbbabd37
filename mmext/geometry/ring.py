"""Morphology on batched masks: dilation, erosion and the table ring around a food mask."""
import torch
from torch import Tensor

__all__ = ['dilate', 'erode', 'mask_ring']


def _as_bhw(mask: Tensor) -> Tensor:
    if mask.dim() == 4 and mask.shape[1] == 1:
        mask = mask[:, 0]
    if mask.dim() != 3:
        raise ValueError(f'mask must be (B, H, W) or (B, 1, H, W), got {tuple(mask.shape)}')
    return mask > 0.5 if mask.is_floating_point() else mask.bool()


def dilate(mask: Tensor, radius: int) -> Tensor:
    """Dilate ``(B, H, W)`` masks with a ``(2r+1)`` square (Chebyshev radius ``r``)."""
    m = _as_bhw(mask)
    if radius <= 0:
        return m
    if m.device.type == 'cpu':
        return _dilate_cv2(m, radius)
    # A square structuring element is separable, and a binary dilation is "box sum > 0":
    # running sums make it O(H W) whatever the radius (max_pool2d is O(H W r) on CPU).
    x = m.to(torch.int32)
    for dim in (2, 1):
        x = _box_sum(x, radius, dim)
    return x > 0


def _dilate_cv2(m: Tensor, radius: int) -> Tensor:
    """CPU path: OpenCV's dilation (van Herk/Gil-Werman, O(1) per pixel in the radius)."""
    import cv2
    import numpy as np
    k = np.ones((2 * radius + 1, 2 * radius + 1), np.uint8)
    src = m.numpy().astype(np.uint8)
    out = np.stack([cv2.dilate(img, k, borderType=cv2.BORDER_CONSTANT, borderValue=0)
                    for img in src]) if len(src) else src
    return torch.from_numpy(out > 0)


def _box_sum(x: Tensor, r: int, dim: int) -> Tensor:
    """Sum over the window ``[i - r, i + r]`` along ``dim`` (zero padding)."""
    n = x.shape[dim]
    shape = list(x.shape)
    shape[dim] = r + 1
    zeros = torch.zeros(shape, dtype=x.dtype, device=x.device)
    shape[dim] = r
    c = torch.cat([zeros, x, torch.zeros(shape, dtype=x.dtype, device=x.device)], dim).cumsum(dim)
    return c.narrow(dim, 2 * r + 1, n) - c.narrow(dim, 0, n)


def erode(mask: Tensor, radius: int) -> Tensor:
    """Erode ``(B, H, W)`` masks with a ``(2r+1)`` square; outside the image counts as set."""
    m = _as_bhw(mask)
    if radius <= 0:
        return m
    return ~dilate(~m, radius)


def mask_ring(mask: Tensor, inner: int = 5, width: int = 20) -> Tensor:
    """Ring of pixels at Chebyshev distance ``(inner, inner + width]`` from a mask.

    The gap of ``inner`` pixels keeps mask errors and food edges out of the ring, so the ring
    sees the table (or plate) around the food.

    Args:
        mask: ``(B, H, W)`` or ``(B, 1, H, W)`` food masks.
        inner: Gap between mask and ring in pixels.
        width: Ring width in pixels.

    Returns:
        ``(B, H, W)`` boolean ring masks (empty for an empty mask).
    """
    if inner < 0 or width <= 0:
        raise ValueError(f'mask_ring needs inner >= 0 and width > 0, got {inner}, {width}')
    return dilate(mask, inner + width) & ~dilate(mask, inner)
