"""Slot models: SlotAttentionEncoder, DINOSAUR (image / video), the pixel autoencoder."""
from .backbones import FrozenViTBackbone
from .base import SlotModelBase
from .color_jitter import fixed_color_jitter
from .data_preprocessor import SlotDataPreprocessor
from .decoders import MLPPatchDecoder, SpatialBroadcastDecoder, combine_slots
from .dinosaur import DINOSAUR
from .pixel_slot import PixelSlotAutoencoder
from .slot_attention import SlotAttention, SlotAttentionEncoder, build_feature_projection
from .video_dinosaur import SlotPredictor, VideoDINOSAUR

__all__ = [
    'FrozenViTBackbone', 'SlotModelBase', 'fixed_color_jitter', 'SlotDataPreprocessor',
    'MLPPatchDecoder', 'SpatialBroadcastDecoder', 'combine_slots', 'DINOSAUR',
    'PixelSlotAutoencoder', 'SlotAttention', 'SlotAttentionEncoder',
    'build_feature_projection', 'SlotPredictor', 'VideoDINOSAUR'
]
