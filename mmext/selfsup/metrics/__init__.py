"""Self-supervised depth metrics (depth errors use the registered ``DepthMetric``)."""
from .camera_height_metric import CameraHeightMetric

__all__ = ['CameraHeightMetric']
