"""The pixel-reconstruction Slot Attention autoencoder (Locatello et al., 2020), small.

CNN encoder + soft position embedding -> :class:`SlotAttentionEncoder` -> spatial
broadcast decoder (RGB + alpha per slot) -> MSE on pixels. This is the seed's "Pixel Slot"
model, the baseline DINOSAUR is compared against (mask stability under colour jitter).
"""
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn

from mmext.registry import MODELS
from .base import SlotModelBase
from .decoders import SoftPositionEmbed


@MODELS.register_module()
class PixelSlotAutoencoder(SlotModelBase):
    """Slot Attention autoencoder on pixels.

    Config keys:
        encoder: ``SlotAttentionEncoder`` config (``in_dim`` = ``cnn_channels``).
        decoder: ``SpatialBroadcastDecoder`` config; its output size must equal the input.
        cnn_channels: Width of the 5x5 conv encoder.
        cnn_strides: Strides of the conv layers (their product divides the image size).
        mask_source: ``'decoder'`` (the reference: decoded alpha masks) or ``'attention'``
            (variant: the slot-attention maps mix the per-slot decodings; needs all strides
            1 so that the token grid is the image grid).
        data_preprocessor, test_cfg, init_cfg, diagnostics: see :class:`SlotModelBase`.
    """

    def __init__(self, encoder: dict, decoder: dict, cnn_channels: int = 32,
                 cnn_strides: Sequence[int] = (1, 1, 1, 1), mask_source: str = 'decoder',
                 data_preprocessor: Optional[dict] = None, test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None, diagnostics: bool = True) -> None:
        super().__init__(data_preprocessor=data_preprocessor, test_cfg=test_cfg,
                         init_cfg=init_cfg, diagnostics=diagnostics)
        self.mask_source = self.check_mask_source(mask_source)
        layers, c_in = [], 3
        for s in cnn_strides:
            layers += [nn.Conv2d(c_in, cnn_channels, 5, stride=s, padding=2),
                       nn.ReLU(inplace=True)]
            c_in = cnn_channels
        self.cnn = nn.Sequential(*layers)
        self.pos = SoftPositionEmbed(cnn_channels)
        self.encoder = MODELS.build(encoder)
        self.decoder = MODELS.build(decoder)

    def encode(self, inputs: torch.Tensor,
               noise: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
        """Encode clips (B, T, 3, H, W); frames are independent images."""
        b, t, _, h, w = inputs.shape
        images = inputs.flatten(0, 1)
        feats = self.pos(self.cnn(images)).flatten(2).transpose(1, 2)  # (B', N, C)
        enc = self.encoder(feats, noise=None if noise is None else noise.flatten(0, 1))
        masks = enc['attn'].transpose(1, 2) if self.mask_source == 'attention' else None
        dec = self.decoder(enc['slots'], masks=masks)
        dh, dw = dec['size']
        if (dh, dw) != (h, w):
            raise ValueError(f'SpatialBroadcastDecoder outputs {dh}x{dw} but the images are '
                             f'{h}x{w}: set init_size * 2**num_upsample = image size')
        target = images.flatten(2).transpose(1, 2)  # (B', H*W, 3)
        return dict(slots=enc['slots'].reshape(b, t, *enc['slots'].shape[1:]),
                    masks=dec['masks'].reshape(b, t, -1, h, w),
                    reconstruction=dec['reconstruction'], target=target,
                    **self.diagnostic_fields(enc, dec, feats))
