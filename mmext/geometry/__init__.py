"""mmext.geometry: camera maths, plane fits, masks and volume integration (shared, torch)."""
from .camera import as_batched_K, backproject, crop_intrinsics, pixel_rays, scale_intrinsics
from .plane import (fit_plane_lstsq, fit_plane_ransac, plane_from_abc, plane_from_points,
                    signed_height)
from .ring import dilate, erode, mask_ring
from .volume import compute_volume, fit_table_plane, height_map

__all__ = [
    'as_batched_K', 'backproject', 'crop_intrinsics', 'pixel_rays', 'scale_intrinsics',
    'fit_plane_lstsq', 'fit_plane_ransac', 'plane_from_abc', 'plane_from_points',
    'signed_height', 'dilate', 'erode', 'mask_ring', 'compute_volume', 'fit_table_plane',
    'height_map'
]
