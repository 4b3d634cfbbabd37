"""FUMET's fine scale term: the camera height seen in the depth matches its pseudo-label."""
from typing import Union

import torch
from torch import Tensor, nn

from mmext.geometry import road_heights
from mmext.registry import MODELS
from mmext.utils.amp import float32

__all__ = ['CameraHeightLoss']


@MODELS.register_module()
class CameraHeightLoss(nn.Module):
    """``mean_b |h_target - h_b|`` with ``h_b`` the camera height of image ``b`` measured on
    its predicted depth by :func:`~mmext.geometry.road_heights` (median of ``-n.X`` over the
    road pixels). Images with too few road pixels (NaN height) or a NaN target are skipped.

    Args:
        loss_weight: Multiplier of the loss (FUMET: 0.01).
        min_pixels: Fewest road pixels for an image to count.
        loss_name: Key of the loss in the loss dict.
    """

    def __init__(self, loss_weight: float = 0.01, min_pixels: int = 20,
                 loss_name: str = 'loss_camera_height') -> None:
        super().__init__()
        self.loss_weight, self.min_pixels, self.loss_name = loss_weight, min_pixels, loss_name

    @float32
    def forward(self, depth: Tensor, K: Tensor, road_mask: Tensor,
                target: Union[float, Tensor]) -> Tensor:
        """Loss for ``(B, 1, H, W)`` depth, ``(B, 3, 3)`` intrinsics, a ``(B, [1,] H, W)`` road
        mask and the target camera height (a float, or a scalar / ``(B,)`` tensor, detached).
        0 (with a graph) when no image is valid."""
        h = road_heights(depth, K, road_mask, self.min_pixels)['height']
        target = torch.as_tensor(target, dtype=h.dtype, device=h.device).detach()
        target = target.expand_as(h)
        valid = torch.isfinite(h) & torch.isfinite(target)
        if not bool(valid.any()):
            return depth.sum() * 0.0
        return self.loss_weight * (target[valid] - h[valid]).abs().mean()
