"""Custom YOLOX classification losses."""
from .yolox_cls_losses import PerClassFocalLoss

__all__ = ['PerClassFocalLoss']
