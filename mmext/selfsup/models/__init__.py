"""Self-supervised depth models: encoders, decoder, pose net, estimator."""
from .data_preprocessor import SelfSupDataPreprocessor
from .depth_decoder import DepthOutput, MonoDepthDecoder
from .height_estimator import ObjectHeightEstimator
from .loss_schedule import WeightSchedule, build_schedules
from .pose_net import PoseNet
from .resnet_encoder import ResNetPyramidEncoder
from .selfsup_estimator import SelfSupDepthEstimator

__all__ = ['SelfSupDataPreprocessor', 'DepthOutput', 'MonoDepthDecoder', 'WeightSchedule',
           'build_schedules', 'ObjectHeightEstimator', 'PoseNet', 'ResNetPyramidEncoder',
           'SelfSupDepthEstimator']
