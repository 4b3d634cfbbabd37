"""Self-supervised depth hooks."""
from .camera_height_hook import CameraHeightHook

__all__ = ['CameraHeightHook']
