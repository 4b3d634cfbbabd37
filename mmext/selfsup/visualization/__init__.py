"""Self-supervised depth visualisation: panels, camera-height curve, test hook."""
from .panels import disparity_image, plot_camera_height_curve, road_overlay, selfsup_panel
from .selfsup_visualization_hook import SelfSupVisualizationHook

__all__ = ['disparity_image', 'plot_camera_height_curve', 'road_overlay', 'selfsup_panel',
           'SelfSupVisualizationHook']
