"""Shared helpers of the depth losses."""
from typing import Optional

from torch import Tensor


def to_bhw(x: Optional[Tensor], name: str) -> Optional[Tensor]:
    """``(B, 1, H, W)`` / ``(B, H, W)`` -> ``(B, H, W)``; clear error otherwise."""
    if x is None:
        return None
    if x.dim() == 4 and x.shape[1] == 1:
        return x[:, 0]
    if x.dim() != 3:
        raise ValueError(f'{name} must be (B, H, W) or (B, 1, H, W), got {tuple(x.shape)}')
    return x


def valid_pixels(target: Tensor, valid_mask: Optional[Tensor]) -> Tensor:
    """Boolean mask of pixels with a positive target and (if given) a set ``valid_mask``."""
    valid = target > 0
    if valid_mask is not None:
        vm = to_bhw(valid_mask, 'valid_mask')
        valid = valid & ((vm > 0.5) if vm.is_floating_point() else vm.bool())
    return valid.detach()


def zero_loss(pred: Tensor) -> Tensor:
    """A zero that keeps ``pred`` in the graph (finite, zero gradient)."""
    return pred.sum() * 0.0
