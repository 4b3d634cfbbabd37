"""Model-free checks for the self-supervised road-depth family."""
from .gt_camera_height import gt_camera_heights, summarize_heights

__all__ = ['gt_camera_heights', 'summarize_heights']
