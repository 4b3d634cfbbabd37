"""Self-supervised depth metrics (depth errors use the registered ``DepthMetric``)."""
from .camera_height_metric import CameraHeightMetric
from .height_metric import ObjectHeightMetric

__all__ = ['CameraHeightMetric', 'ObjectHeightMetric']
