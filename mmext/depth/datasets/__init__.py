"""Depth data sets and transforms."""
from .cross_domain import KITTIEigenDepthDataset, LoadImageDepth, NYUDepthV2Dataset
from .nutrition5k_camera import (NUTRITION5K_K, NUTRITION5K_K_D435, NUTRITION5K_K_PAPER,
                                 paper_focal_px)
from .nutrition5k_dataset import Nutrition5kDataset, derive_food_mask
from .nutrition5k_sessions import (audit_leakage, dish_timestamp, group_sessions,
                                   split_by_sessions)
from .nutrition5k_io import (Nutrition5kFormatError, check_depth_units, read_depth_raw,
                             read_dish_metadata, read_split_ids)
from .transforms import (DAV2InferResize, DepthColorJitter, DepthGaussianBlur, DepthNoise,
                         LoadNutrition5kDish, MaskMorphology, PackDepthInputs,
                         RandomDepthFlip, RandomRotateK, RandomScaleCropK, ResizeK)

__all__ = ['KITTIEigenDepthDataset', 'LoadImageDepth', 'NYUDepthV2Dataset', 'NUTRITION5K_K',
           'NUTRITION5K_K_D435', 'NUTRITION5K_K_PAPER', 'paper_focal_px',
           'Nutrition5kDataset', 'derive_food_mask', 'Nutrition5kFormatError',
           'check_depth_units', 'read_depth_raw', 'read_dish_metadata', 'read_split_ids',
           'LoadNutrition5kDish', 'ResizeK', 'RandomScaleCropK', 'RandomRotateK',
           'RandomDepthFlip', 'DepthColorJitter', 'DepthGaussianBlur', 'DepthNoise',
           'MaskMorphology', 'PackDepthInputs', 'DAV2InferResize', 'audit_leakage',
           'dish_timestamp', 'group_sessions', 'split_by_sessions']
