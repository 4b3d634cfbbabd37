"""Mean absolute depth error on valid (optionally food-masked) pixels."""
from typing import Optional

from torch import Tensor, nn

from mmext.registry import MODELS
from mmext.utils.amp import float32
from ._utils import to_bhw, valid_pixels, zero_loss


@MODELS.register_module()
class MaskedL1Loss(nn.Module):
    """``mean |pred - gt|`` over pixels with ``gt > 0`` inside the mask.

    Args:
        use_food_mask: Restrict to the food mask (seed 001: ``L1(pred[mask], gt[mask])``);
            otherwise every valid ground-truth pixel counts.
        loss_weight: Multiplier of the loss.
        loss_name: Key of the loss in the loss dict.
    """

    def __init__(self, use_food_mask: bool = False, loss_weight: float = 1.0,
                 loss_name: str = 'loss_l1') -> None:
        super().__init__()
        self.use_food_mask = use_food_mask
        self.loss_weight, self.loss_name = loss_weight, loss_name

    @float32
    def forward(self, pred: Tensor, target: Tensor, valid_mask: Optional[Tensor] = None,
                food_mask: Optional[Tensor] = None, **kwargs) -> Tensor:
        """Loss for ``(B, [1,] H, W)`` depth; ``food_mask`` is used when configured."""
        pred, target = to_bhw(pred, 'pred'), to_bhw(target, 'target')
        valid = valid_pixels(target, valid_mask)
        if self.use_food_mask:
            if food_mask is None:
                raise ValueError('MaskedL1Loss(use_food_mask=True) needs food_mask')
            valid = valid & valid_pixels(target, food_mask)
        if not valid.any():
            return zero_loss(pred)
        return self.loss_weight * (pred[valid] - target[valid]).abs().mean()
