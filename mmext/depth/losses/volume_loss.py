"""Relative volume error loss (seed 001, ``L_volume = |V_pred - V_gt| / V_gt``)."""
from typing import Optional

import torch
from torch import Tensor, nn

from mmext.geometry import compute_volume
from mmext.registry import MODELS
from mmext.utils.amp import float32
from ._utils import to_bhw, zero_loss


@MODELS.register_module()
class VolumeLoss(nn.Module):
    """Mean over images of ``|V(pred) - V_gt| / (V_gt + eps)``.

    ``V(pred)`` is :func:`mmext.geometry.compute_volume` of the predicted depth with the true
    ``K`` and food mask, the table plane fitted (least squares) on a ring of the *predicted*
    depth around the mask. Images with ``V_gt <= 0`` (no food) are skipped.

    Args:
        footprint: Pixel footprint of ``compute_volume`` (use the one the labels were made with).
        ring_inner: Gap between food mask and ring (pixels).
        ring_width: Ring width (pixels).
        eps: Added to ``V_gt`` in the denominator (m^3).
        loss_weight: Multiplier of the loss.
        loss_name: Key of the loss in the loss dict.
    """

    def __init__(self, footprint: str = 'surface', ring_inner: int = 5, ring_width: int = 20,
                 eps: float = 1e-8, loss_weight: float = 1.0,
                 loss_name: str = 'loss_volume') -> None:
        super().__init__()
        self.footprint, self.ring_inner, self.ring_width = footprint, ring_inner, ring_width
        self.eps, self.loss_weight, self.loss_name = eps, loss_weight, loss_name

    @float32
    def forward(self, pred: Tensor, target: Optional[Tensor] = None,
                valid_mask: Optional[Tensor] = None, food_mask: Optional[Tensor] = None,
                K: Optional[Tensor] = None, gt_volume: Optional[Tensor] = None,
                **kwargs) -> Tensor:
        """Loss for ``(B, [1,] H, W)`` predicted depth, masks, K and ``(B,)`` volumes (m^3)."""
        if food_mask is None or K is None or gt_volume is None:
            raise ValueError('VolumeLoss needs food_mask, K and gt_volume')
        pred = to_bhw(pred, 'pred')
        gt = torch.as_tensor(gt_volume, dtype=pred.dtype, device=pred.device).reshape(-1)
        ok = gt > 0
        if not ok.any():
            return zero_loss(pred)
        vol = compute_volume(pred, K, to_bhw(food_mask, 'food_mask'), footprint=self.footprint,
                             ring_inner=self.ring_inner, ring_width=self.ring_width)
        rel = (vol - gt).abs() / (gt.clamp_min(0) + self.eps)
        return self.loss_weight * torch.where(ok, rel, torch.zeros_like(rel)).sum() / ok.sum()
