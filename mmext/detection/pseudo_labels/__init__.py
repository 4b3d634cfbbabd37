"""Pseudo-labels for thermal frames: box mapping and SAM 2 refinement."""
from .box_ops import box_iou, map_boxes, mask_to_box
from .mask_backends import (HFSam2Backend, MaskBackend, Sam2PackageBackend,
                            ThermalOtsuBackend, build_mask_backend)
from .sam2_labeler import RefinedBoxes, SAM2PseudoLabeler

__all__ = ['box_iou', 'map_boxes', 'mask_to_box', 'MaskBackend', 'Sam2PackageBackend',
           'HFSam2Backend', 'ThermalOtsuBackend', 'build_mask_backend', 'SAM2PseudoLabeler',
           'RefinedBoxes']
from .generator import PseudoLabelGenerator, load_matrix  # noqa: E402
from .prepare import prepare_pseudo_labels  # noqa: E402

__all__ += ['PseudoLabelGenerator', 'load_matrix', 'prepare_pseudo_labels']
