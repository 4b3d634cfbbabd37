"""Self-supervised depth hooks."""
from .camera_height_hook import CameraHeightHook
from .reinit_hook import ReinitHook

__all__ = ['CameraHeightHook', 'ReinitHook']
