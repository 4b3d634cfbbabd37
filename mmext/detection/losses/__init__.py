"""Custom YOLOX classification losses."""
from .yolox_cls_losses import PerClassFocalLoss, SoftQualityFocalLoss

__all__ = ['PerClassFocalLoss', 'SoftQualityFocalLoss']
