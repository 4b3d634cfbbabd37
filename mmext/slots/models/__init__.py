"""Slot models: SlotAttentionEncoder, DINOSAUR (image / video), the pixel autoencoder."""
from .backbones import FrozenViTBackbone
from .base import SlotModelBase
from .cnn_backbone import ResNetTokenBackbone
from .color_jitter import fixed_color_jitter
from .data_preprocessor import SlotDataPreprocessor
from .decoders import MLPPatchDecoder, SpatialBroadcastDecoder, combine_slots, slot_masks
from .dinosaur import DINOSAUR
from .pixel_slot import PixelSlotAutoencoder
from .slot_attention import SlotAttention, SlotAttentionEncoder, build_feature_projection
from .video_dinosaur import MLPSlotPredictor, SlotPredictor, VideoDINOSAUR

__all__ = [
    'FrozenViTBackbone', 'SlotModelBase', 'fixed_color_jitter', 'SlotDataPreprocessor',
    'MLPPatchDecoder', 'SpatialBroadcastDecoder', 'combine_slots', 'DINOSAUR',
    'PixelSlotAutoencoder', 'SlotAttention', 'SlotAttentionEncoder',
    'build_feature_projection', 'SlotPredictor', 'VideoDINOSAUR', 'MLPSlotPredictor',
    'ResNetTokenBackbone', 'slot_masks'
]
