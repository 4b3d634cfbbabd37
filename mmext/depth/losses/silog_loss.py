"""Scale-invariant logarithmic loss (Eigen et al.), in the form used by Depth Anything V2."""
from typing import Optional

import torch
from torch import Tensor, nn

from mmext.registry import MODELS
from mmext.utils.amp import float32
from ._utils import to_bhw, valid_pixels, zero_loss


@MODELS.register_module()
class SILogLoss(nn.Module):
    """``sqrt(mean(d^2) - lambda * mean(d)^2)`` with ``d = log(gt) - log(pred)`` on valid pixels.

    ``lambda = 0.5`` is Depth Anything V2's ``SiLogLoss`` (metric_depth/util/loss.py),
    ``lambda = 0.85`` is UniDepth's ``sqrt(var(d) + 0.15 * mean(d)^2)``. As in DAV2, the means
    run over all valid pixels of the batch together.

    Args:
        lambd: The variance weight lambda in [0, 1].
        min_depth: Predictions are clamped to at least this before the log (finite gradients
            at zero depth); targets <= 0 are invalid.
        eps: Floor of the value under the square root.
        loss_weight: Multiplier of the loss.
        loss_name: Key of the loss in the loss dict.
    """

    def __init__(self, lambd: float = 0.5, min_depth: float = 1e-3, eps: float = 1e-12,
                 loss_weight: float = 1.0, loss_name: str = 'loss_silog') -> None:
        super().__init__()
        if not 0.0 <= lambd <= 1.0:
            raise ValueError(f'SILogLoss lambd must be in [0, 1], got {lambd}')
        self.lambd, self.min_depth, self.eps = lambd, min_depth, eps
        self.loss_weight, self.loss_name = loss_weight, loss_name

    @float32
    def forward(self, pred: Tensor, target: Tensor, valid_mask: Optional[Tensor] = None,
                **kwargs) -> Tensor:
        """Loss for ``(B, [1,] H, W)`` predicted and ground-truth depth."""
        pred, target = to_bhw(pred, 'pred'), to_bhw(target, 'target')
        valid = valid_pixels(target, valid_mask)
        if not valid.any():
            return zero_loss(pred)
        d = torch.log(target[valid]) - torch.log(pred[valid].clamp_min(self.min_depth))
        val = (d * d).mean() - self.lambd * d.mean() ** 2
        return self.loss_weight * torch.sqrt(val.clamp_min(self.eps))
