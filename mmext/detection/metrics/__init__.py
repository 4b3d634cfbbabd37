"""Detection metrics."""
from .coco_classwise_metric import CocoClasswiseMetric

__all__ = ['CocoClasswiseMetric']
