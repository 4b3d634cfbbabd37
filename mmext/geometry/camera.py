"""Pinhole camera helpers: intrinsics scaling/cropping, pixel rays and back-projection.

Conventions: ``K`` is a 3x3 pinhole matrix ``[[fx, 0, cx], [0, fy, cy], [0, 0, 1]]`` for an
image whose pixel ``(u, v)`` has its centre at integer coordinates (column ``u``, row ``v``).
Depth maps hold the z coordinate (not the ray length) of the seen point in the camera frame.
"""
from typing import Any, Tuple, Union

import torch
from torch import Tensor

from mmext.utils.amp import float32

__all__ = ['as_batched_K', 'scale_intrinsics', 'crop_intrinsics', 'pixel_rays', 'backproject']


def as_batched_K(K: Any, batch: int, *,
                 dtype: torch.dtype = torch.float32,
                 device: Union[str, torch.device, None] = None) -> Tensor:
    """Return intrinsics as a ``(batch, 3, 3)`` tensor.

    Args:
        K: ``(3, 3)`` or ``(batch, 3, 3)`` intrinsics (tensor, array or nested list).
        batch: Batch size to broadcast a single ``K`` to.
        dtype: Output dtype.
        device: Output device.

    Raises:
        ValueError: If ``K`` is not 3x3 / Bx3x3 or its batch does not match.
    """
    K = torch.as_tensor(K, dtype=dtype, device=device)
    if K.shape == (3, 3):
        K = K.expand(batch, 3, 3)
    if K.dim() != 3 or K.shape[1:] != (3, 3) or K.shape[0] not in (1, batch):
        raise ValueError(f'K must have shape (3, 3) or ({batch}, 3, 3), got {tuple(K.shape)}')
    return K.expand(batch, 3, 3)


def scale_intrinsics(K: Tensor, sx: float, sy: float) -> Tensor:
    """Intrinsics after resizing the image by ``(sx, sy)`` (new_size / old_size).

    With pixel centres at integer coordinates, resizing with ``align_corners=False``
    maps ``u' = sx * (u + 0.5) - 0.5``, hence ``fx' = sx * fx`` and
    ``cx' = sx * (cx + 0.5) - 0.5`` (same for y).

    Args:
        K: ``(..., 3, 3)`` intrinsics.
        sx: Horizontal scale factor (new width / old width).
        sy: Vertical scale factor (new height / old height).

    Returns:
        Scaled intrinsics with the same shape.
    """
    K = torch.as_tensor(K).clone()
    K[..., 0, 0] = K[..., 0, 0] * sx
    K[..., 1, 1] = K[..., 1, 1] * sy
    K[..., 0, 2] = sx * (K[..., 0, 2] + 0.5) - 0.5
    K[..., 1, 2] = sy * (K[..., 1, 2] + 0.5) - 0.5
    return K


def crop_intrinsics(K: Tensor, left: float, top: float) -> Tensor:
    """Intrinsics after cropping an image whose new origin is pixel ``(left, top)``."""
    K = torch.as_tensor(K).clone()
    K[..., 0, 2] = K[..., 0, 2] - left
    K[..., 1, 2] = K[..., 1, 2] - top
    return K


@float32
def pixel_rays(K: Tensor, size: Tuple[int, int]) -> Tensor:
    """Rays ``d = K^-1 (u, v, 1)`` (z component 1) for every pixel.

    Args:
        K: ``(B, 3, 3)`` intrinsics.
        size: Image size ``(H, W)``.

    Returns:
        ``(B, H, W, 3)`` ray directions with unit z.
    """
    H, W = size
    u = torch.arange(W, dtype=K.dtype, device=K.device).view(1, 1, W)
    v = torch.arange(H, dtype=K.dtype, device=K.device).view(1, H, 1)
    fx, fy = K[:, 0, 0].view(-1, 1, 1), K[:, 1, 1].view(-1, 1, 1)
    cx, cy = K[:, 0, 2].view(-1, 1, 1), K[:, 1, 2].view(-1, 1, 1)
    skew = K[:, 0, 1].view(-1, 1, 1)
    y = (v - cy) / fy                                   # (B, H, 1)
    x = (u - cx - skew * y) / fx                        # (B, H, W)
    B = K.shape[0]
    out = torch.empty(B, H, W, 3, dtype=K.dtype, device=K.device)
    out[..., 0] = x
    out[..., 1] = y
    out[..., 2] = 1
    return out


@float32
def backproject(depth: Tensor, K: Tensor) -> Tensor:
    """Back-project a z-depth map to camera-frame 3D points.

    Args:
        depth: ``(B, H, W)`` or ``(B, 1, H, W)`` z-depth.
        K: ``(3, 3)`` or ``(B, 3, 3)`` intrinsics.

    Returns:
        ``(B, H, W, 3)`` points ``Z * K^-1 (u, v, 1)``.
    """
    if depth.dim() == 4:
        if depth.shape[1] != 1:
            raise ValueError(f'depth must be (B, H, W) or (B, 1, H, W), got {tuple(depth.shape)}')
        depth = depth[:, 0]
    if depth.dim() != 3:
        raise ValueError(f'depth must be (B, H, W) or (B, 1, H, W), got {tuple(depth.shape)}')
    K = as_batched_K(K, depth.shape[0], dtype=depth.dtype, device=depth.device)
    return pixel_rays(K, depth.shape[-2:]) * depth.unsqueeze(-1)
