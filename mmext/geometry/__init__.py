"""mmext.geometry: camera maths, plane fits, masks and volume integration (shared, torch)."""
from .camera import as_batched_K, backproject, crop_intrinsics, pixel_rays, scale_intrinsics
from .plane import (fit_plane_lstsq, fit_plane_ransac, plane_from_abc, plane_from_points,
                    signed_height)
from .ring import dilate, erode, mask_ring
from .road import (camera_heights, fumet_normals, fumet_road_heights, fumet_road_mask,
                   horizon_row, neighbour_normals, road_heights,
                   road_plane_heights)
from .volume import compute_volume, fit_table_plane, height_map
from .warp import axisangle_to_matrix, pose_from_axisangle, project_points, warp_to_target

__all__ = [
    'as_batched_K', 'backproject', 'crop_intrinsics', 'pixel_rays', 'scale_intrinsics',
    'fit_plane_lstsq', 'fit_plane_ransac', 'plane_from_abc', 'plane_from_points',
    'signed_height', 'dilate', 'erode', 'mask_ring', 'compute_volume', 'fit_table_plane',
    'height_map', 'axisangle_to_matrix', 'pose_from_axisangle', 'project_points',
    'warp_to_target', 'neighbour_normals', 'fumet_normals', 'fumet_road_mask',
    'fumet_road_heights', 'road_heights', 'road_plane_heights', 'camera_heights',
    'horizon_row'
]
