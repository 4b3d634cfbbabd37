"""mmext.slots: object-centric learning (seed 004).

Importing this package registers SlotAttentionEncoder, DINOSAUR, VideoDINOSAUR, the pixel
Slot Attention autoencoder, the MOVi dataset / transforms, the object-discovery metrics and
the slot visualisation hook. See docs/slots.md.
"""
from . import baselines, datasets, hooks, metrics, models, visualization  # noqa: F401
from .models import DINOSAUR, SlotAttentionEncoder, VideoDINOSAUR  # noqa: F401

__all__ = ['baselines', 'datasets', 'hooks', 'metrics', 'models', 'visualization', 'DINOSAUR',
           'SlotAttentionEncoder', 'VideoDINOSAUR']
