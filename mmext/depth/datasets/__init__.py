"""Depth data sets and transforms."""
from .nutrition5k_dataset import Nutrition5kDataset, derive_food_mask
from .nutrition5k_sessions import (audit_leakage, dish_timestamp, group_sessions,
                                   split_by_sessions)
from .nutrition5k_io import (Nutrition5kFormatError, check_depth_units, read_depth_raw,
                             read_dish_metadata, read_split_ids)
from .transforms import (DepthColorJitter, DepthGaussianBlur, DepthNoise, LoadNutrition5kDish,
                         MaskMorphology, PackDepthInputs, RandomDepthFlip, RandomRotateK,
                         RandomScaleCropK, ResizeK)

__all__ = ['Nutrition5kDataset', 'derive_food_mask', 'Nutrition5kFormatError',
           'check_depth_units', 'read_depth_raw', 'read_dish_metadata', 'read_split_ids',
           'LoadNutrition5kDish', 'ResizeK', 'RandomScaleCropK', 'RandomRotateK',
           'RandomDepthFlip', 'DepthColorJitter', 'DepthGaussianBlur', 'DepthNoise',
           'MaskMorphology', 'PackDepthInputs', 'audit_leakage', 'dish_timestamp',
           'group_sessions', 'split_by_sessions']
