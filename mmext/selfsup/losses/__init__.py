"""Self-supervised depth losses (registered in ``mmext.registry.MODELS``)."""
from .camera_height import CameraHeightLoss
from .object_height import (ObjectHeightLoss, frame_scale_factors, fumet_object_height_loss,
                            object_height_records, object_scale_factors)
from .photometric import PhotometricReprojectionLoss, photometric_error
from .smoothness import EdgeAwareSmoothnessLoss, edge_aware_smoothness
from .ssim import SSIM, ssim_dissimilarity

__all__ = [
    'SSIM', 'ssim_dissimilarity', 'photometric_error', 'PhotometricReprojectionLoss',
    'edge_aware_smoothness', 'EdgeAwareSmoothnessLoss', 'ObjectHeightLoss',
    'object_height_records', 'object_scale_factors', 'frame_scale_factors',
    'fumet_object_height_loss', 'CameraHeightLoss'
]
