"""Depth models: DINOv2 backbone, Depth Anything DPT head, the estimator and weight loading."""
from .checkpoint import (WeightLoadError, convert_hf_state_dict, convert_official_state_dict,
                         depth_anything_cfg_from_hf, load_depth_anything)
from .data_preprocessor import DepthDataPreprocessor
from .depth_estimator import DepthEstimator
from .dinov2_backbone import DINOv2Backbone
from .dpt_head import DepthAnythingHead
from .unidepth_wrapper import UniDepthWrapper

__all__ = ['DINOv2Backbone', 'DepthAnythingHead', 'DepthEstimator', 'DepthDataPreprocessor',
           'load_depth_anything', 'convert_hf_state_dict', 'convert_official_state_dict',
           'depth_anything_cfg_from_hf', 'WeightLoadError', 'UniDepthWrapper']
