"""Table-levelness loss (seed 001, ``L_plane = 1 - |n_z|``)."""
from typing import Optional

import torch
from torch import Tensor, nn

from mmext.geometry import fit_plane_lstsq, mask_ring, pixel_rays
from mmext.geometry.camera import as_batched_K
from mmext.registry import MODELS
from mmext.utils.amp import float32
from ._utils import to_bhw, zero_loss


@MODELS.register_module()
class PlaneLevelLoss(nn.Module):
    """``1 - |n_z|`` of the plane fitted (least squares, differentiable) to the predicted
    depth back-projected on a ring around the food mask; averaged over images whose ring has
    at least ``min_points`` pixels. Assumes an overhead camera (Nutrition5k), where the table
    is perpendicular to the optical axis.

    Args:
        ring_inner: Gap between food mask and ring (pixels).
        ring_width: Ring width (pixels).
        min_points: Images with fewer ring pixels are skipped.
        loss_weight: Multiplier of the loss.
        loss_name: Key of the loss in the loss dict.
    """

    def __init__(self, ring_inner: int = 5, ring_width: int = 20, min_points: int = 10,
                 loss_weight: float = 1.0, loss_name: str = 'loss_plane') -> None:
        super().__init__()
        self.ring_inner, self.ring_width, self.min_points = ring_inner, ring_width, min_points
        self.loss_weight, self.loss_name = loss_weight, loss_name

    @float32
    def forward(self, pred: Tensor, target: Optional[Tensor] = None,
                valid_mask: Optional[Tensor] = None, food_mask: Optional[Tensor] = None,
                K: Optional[Tensor] = None, **kwargs) -> Tensor:
        """Loss for ``(B, [1,] H, W)`` predicted depth, food masks and ``(B, 3, 3)`` K."""
        if food_mask is None or K is None:
            raise ValueError('PlaneLevelLoss needs food_mask and K')
        pred = to_bhw(pred, 'pred')
        ring = mask_ring(to_bhw(food_mask, 'food_mask'), self.ring_inner, self.ring_width)
        ring = ring & (pred.detach() > 0)
        Kb = as_batched_K(K, pred.shape[0], dtype=pred.dtype, device=pred.device)
        pts = pixel_rays(Kb, pred.shape[-2:]) * pred.unsqueeze(-1)
        plane = fit_plane_lstsq(pts, ring)
        ok = ring.flatten(1).sum(1) >= self.min_points
        if not ok.any():
            return zero_loss(pred)
        per_image = 1.0 - plane[:, 2].abs()
        return self.loss_weight * torch.where(ok, per_image, torch.zeros_like(per_image)).sum() \
            / ok.sum()
