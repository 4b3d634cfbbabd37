"""Depth-gradient matching loss (seed 001, ``L_grad``)."""
from typing import Optional

import torch
from torch import Tensor, nn

from mmext.geometry import dilate
from mmext.registry import MODELS
from mmext.utils.amp import float32
from ._utils import to_bhw, valid_pixels, zero_loss


@MODELS.register_module()
class DepthGradientLoss(nn.Module):
    """L1 between forward differences of predicted and ground-truth depth.

    ``L = (sum_x |dx(pred) - dx(gt)| + sum_y |dy(pred) - dy(gt)|) / (N_x + N_y)`` where a
    difference counts when both of its pixels are valid (``gt > 0``, inside the region).

    Args:
        region: ``'valid'`` (all valid pixels) or ``'food'`` (the food mask dilated by
            ``dilate_px`` so the food border, where volume errors start, is included).
        dilate_px: Dilation of the food mask for ``region='food'``.
        loss_weight: Multiplier of the loss.
        loss_name: Key of the loss in the loss dict.
    """

    def __init__(self, region: str = 'valid', dilate_px: int = 5, loss_weight: float = 1.0,
                 loss_name: str = 'loss_grad') -> None:
        super().__init__()
        if region not in ('valid', 'food'):
            raise ValueError(f"DepthGradientLoss region must be 'valid' or 'food', got {region!r}")
        self.region, self.dilate_px = region, dilate_px
        self.loss_weight, self.loss_name = loss_weight, loss_name

    @float32
    def forward(self, pred: Tensor, target: Tensor, valid_mask: Optional[Tensor] = None,
                food_mask: Optional[Tensor] = None, **kwargs) -> Tensor:
        """Loss for ``(B, [1,] H, W)`` depth."""
        pred, target = to_bhw(pred, 'pred'), to_bhw(target, 'target')
        valid = valid_pixels(target, valid_mask)
        if self.region == 'food':
            if food_mask is None:
                raise ValueError("DepthGradientLoss(region='food') needs food_mask")
            valid = valid & dilate(to_bhw(food_mask, 'food_mask'), self.dilate_px)
        vx = valid[:, :, 1:] & valid[:, :, :-1]
        vy = valid[:, 1:, :] & valid[:, :-1, :]
        n = vx.sum() + vy.sum()
        if n == 0:
            return zero_loss(pred)
        ex = (pred.diff(dim=2) - target.diff(dim=2)).abs()
        ey = (pred.diff(dim=1) - target.diff(dim=1)).abs()
        total = torch.where(vx, ex, torch.zeros_like(ex)).sum() + \
            torch.where(vy, ey, torch.zeros_like(ey)).sum()
        return self.loss_weight * total / n
