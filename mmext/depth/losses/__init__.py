"""Depth and volume losses (registered in ``mmext.registry.MODELS``)."""
from .gradient_loss import DepthGradientLoss
from .masked_l1_loss import MaskedL1Loss
from .plane_level_loss import PlaneLevelLoss
from .silog_loss import SILogLoss
from .volume_loss import VolumeLoss

__all__ = ['SILogLoss', 'MaskedL1Loss', 'DepthGradientLoss', 'PlaneLevelLoss', 'VolumeLoss']
