"""Depth and volume metrics (registered in ``mmext.registry.METRICS``)."""
from .depth_errors import CROPS, crop_mask, depth_errors
from .depth_metric import DepthMetric
from .volume_metric import VolumeMetric, save_error_histogram, volume_errors

__all__ = ['DepthMetric', 'VolumeMetric', 'depth_errors', 'crop_mask', 'CROPS',
           'volume_errors', 'save_error_histogram']
