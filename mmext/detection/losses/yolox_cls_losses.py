"""Classification losses for YOLOXHead's soft targets (seed 003's custom YOLOX losses).

YOLOXHead computes ``loss_cls`` on the positive anchors only, with soft targets
``one_hot(label) * IoU`` of shape (N, C), sums the loss (``reduction='sum'``) and divides by
the number of positives itself (no ``avg_factor``). Both losses below take exactly that
input: logits (N, C) and float targets in [0, 1] of the same shape.

* :class:`PerClassFocalLoss` -- sigmoid focal loss whose alpha may be one float or one value
  per class (a list in the config; mmdet's ``FocalLoss`` multiplies a Python list with a
  tensor and fails). For element (i, c) with p = sigmoid(x), target t::

      p_t     = p * t + (1 - p) * (1 - t)
      alpha_t = alpha_c * t + (1 - alpha_c) * (1 - t)
      loss    = alpha_t * (1 - p_t) ** gamma * BCEWithLogits(x, t)

  which is mmdet's ``py_sigmoid_focal_loss`` for one-hot or soft targets.
Quality Focal Loss needs no copy here: mmdet 3.3's ``QualityFocalLoss(use_sigmoid=True)``
takes a soft (N, C) tensor target through ``quality_focal_loss_tensor_target``
(``|t - p| ** beta * BCEWithLogits(x, t)``, tested equal to that formula), so configs use
``dict(type='QualityFocalLoss', use_sigmoid=True, beta=2.0, reduction='sum')``.
"""
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmext.registry import MODELS


def _reduce(loss: torch.Tensor, weight: Optional[torch.Tensor], reduction: str,
            avg_factor: Optional[float]) -> torch.Tensor:
    if weight is not None:
        loss = loss * (weight if weight.dim() == loss.dim() else weight.view(-1, 1))
    if reduction == 'none':
        return loss
    if reduction == 'sum':
        return loss.sum()
    if avg_factor is not None:
        return loss.sum() / (avg_factor + torch.finfo(loss.dtype).eps)
    return loss.mean()


def _check_soft_target(pred: torch.Tensor, target: torch.Tensor, name: str) -> torch.Tensor:
    if not torch.is_tensor(target) or target.shape != pred.shape:
        shape = tuple(target.shape) if torch.is_tensor(target) else type(target).__name__
        raise ValueError(f'{name} expects soft targets with the shape of the logits '
                         f'{tuple(pred.shape)} (YOLOXHead passes one_hot * IoU), got {shape}')
    return target.type_as(pred)


@MODELS.register_module()
class PerClassFocalLoss(nn.Module):
    """Sigmoid focal loss with a per-class alpha, for one-hot or soft (N, C) targets.

    Args:
        alpha: one float, or one float per class (``alpha=[0.25, 0.5, 0.25]``).
        gamma: focusing parameter.
        reduction: ``'none'``, ``'mean'`` or ``'sum'`` (YOLOXHead: ``'sum'``).
        loss_weight: multiplier of the loss.
    """

    def __init__(self, alpha: Union[float, Sequence[float]] = 0.25, gamma: float = 2.0,
                 reduction: str = 'sum', loss_weight: float = 1.0) -> None:
        super().__init__()
        alphas = torch.as_tensor(alpha, dtype=torch.float32).flatten()
        if ((alphas < 0) | (alphas > 1)).any():
            raise ValueError(f'PerClassFocalLoss alpha values must be in [0, 1], got {alpha}')
        self.register_buffer('alpha', alphas, persistent=False)
        self.gamma = gamma
        self.reduction = reduction
        self.loss_weight = loss_weight

    def forward(self, pred: torch.Tensor, target: torch.Tensor,
                weight: Optional[torch.Tensor] = None, avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """Compute the loss (see the module docstring for the formula)."""
        target = _check_soft_target(pred, target, 'PerClassFocalLoss')
        alpha = self.alpha.to(pred.device)
        if alpha.numel() not in (1, pred.shape[-1]):
            raise ValueError(f'PerClassFocalLoss has {alpha.numel()} alpha values but the '
                             f'logits have {pred.shape[-1]} classes')
        p = pred.sigmoid()
        p_t = p * target + (1 - p) * (1 - target)
        alpha_t = alpha * target + (1 - alpha) * (1 - target)
        bce = F.binary_cross_entropy_with_logits(pred, target, reduction='none')
        loss = alpha_t * (1 - p_t).pow(self.gamma) * bce
        return self.loss_weight * _reduce(loss, weight, reduction_override or self.reduction,
                                          avg_factor)
