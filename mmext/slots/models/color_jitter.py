"""A fixed (non-random) colour jitter, for the mask-stability evaluation.

Applied in this order to 0-255 RGB images (..., 3, H, W), each with a fixed factor:

1. brightness: ``x * brightness``;
2. contrast: ``m + contrast * (x - m)`` with ``m`` the mean grey level of the image;
3. saturation: ``g + saturation * (x - g)`` with ``g`` the per-pixel grey (BT.601 luma);
4. hue: rotation of the chroma by ``hue`` turns in YIQ space (0.5 = opposite colours);

then clipped to [0, 255]. The same images and factors always give the same result.
"""
import math

import torch

_RGB2YIQ = torch.tensor([[0.299, 0.587, 0.114],
                         [0.596, -0.274, -0.322],
                         [0.211, -0.523, 0.312]])


def fixed_color_jitter(x: torch.Tensor, brightness: float = 1.0, contrast: float = 1.0,
                       saturation: float = 1.0, hue: float = 0.0) -> torch.Tensor:
    """Apply the fixed colour jitter described in the module docstring."""
    if x.shape[-3] != 3:
        raise ValueError(f'fixed_color_jitter expects (..., 3, H, W), got {tuple(x.shape)}')
    w = torch.tensor([0.299, 0.587, 0.114], dtype=x.dtype, device=x.device).view(3, 1, 1)
    x = x * brightness
    grey = (x * w).sum(dim=-3, keepdim=True)
    x = grey.mean(dim=(-2, -1), keepdim=True) + contrast * (x - grey.mean(
        dim=(-2, -1), keepdim=True))
    grey = (x * w).sum(dim=-3, keepdim=True)
    x = grey + saturation * (x - grey)
    if hue:
        m = _RGB2YIQ.to(x)
        a = 2 * math.pi * hue
        rot = torch.tensor([[1, 0, 0], [0, math.cos(a), -math.sin(a)],
                            [0, math.sin(a), math.cos(a)]], dtype=x.dtype, device=x.device)
        t = torch.linalg.inv(m) @ rot @ m
        x = torch.einsum('ij,...jhw->...ihw', t, x)
    return x.clamp(0, 255)
