"""DINOSAUR (Seitzer et al., 2023): slot attention on frozen ViT features.

Per frame: frozen ViT patch tokens (B, N, C) -> :class:`SlotAttentionEncoder` (2-layer MLP
projection, slot attention) -> :class:`MLPPatchDecoder` (feature + alpha per slot and patch,
alpha softmaxed over slots) -> MSE between reconstructed and ViT tokens. Masks are the
decoder alphas on the patch grid, upsampled to image size in ``predict``. Frames of a clip
are treated as independent images (see :class:`VideoDINOSAUR` for the temporal variant).
"""
from typing import Dict, Optional

import torch

from mmext.registry import MODELS
from .base import SlotModelBase
from .slot_attention import grid_side


@MODELS.register_module()
class DINOSAUR(SlotModelBase):
    """DINOSAUR on images.

    Config keys:
        backbone: A frozen feature extractor returning (B, N, C) tokens
            (``FrozenViTBackbone``).
        encoder: ``SlotAttentionEncoder`` config (``in_dim`` = backbone C).
        decoder: ``MLPPatchDecoder`` config (``out_dim`` = C, ``num_patches`` = N).
        mask_source: ``'decoder'`` (DINOSAUR: the decoder's alpha masks) or
            ``'attention'`` (a variant, not the paper's model: the last slot-attention maps
            are the masks that mix the per-slot decodings, so the reconstruction loss acts
            on the grouping directly; it trains much faster, see docs/slots.md).
        data_preprocessor, test_cfg, init_cfg, diagnostics: see :class:`SlotModelBase`.
    """

    def __init__(self, backbone: dict, encoder: dict, decoder: dict,
                 mask_source: str = 'decoder',
                 data_preprocessor: Optional[dict] = None, test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None, diagnostics: bool = True) -> None:
        super().__init__(data_preprocessor=data_preprocessor, test_cfg=test_cfg,
                         init_cfg=init_cfg, diagnostics=diagnostics)
        self.mask_source = self.check_mask_source(mask_source)
        self.backbone = MODELS.build(backbone)
        self.encoder = MODELS.build(encoder)
        self.decoder = MODELS.build(decoder)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """Frozen backbone tokens (B, N, C), without gradient."""
        with torch.no_grad():
            tokens = self.backbone(images)
        n = self.decoder.num_patches
        if tokens.shape[1] != n:
            raise ValueError(f'backbone gives {tokens.shape[1]} patches for '
                             f'{tuple(images.shape[-2:])} images but decoder.num_patches is '
                             f'{n}; set num_patches = (image_size / patch_size)^2')
        return tokens.detach()

    def external_masks(self, enc: Dict[str, torch.Tensor]) -> Optional[torch.Tensor]:
        """Slot-attention maps (B, K, N) when ``mask_source='attention'``, else None."""
        return enc['attn'].transpose(1, 2) if self.mask_source == 'attention' else None

    def encode(self, inputs: torch.Tensor,
               noise: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
        """Encode clips (B, T, 3, H, W) frame by frame (frames independent)."""
        b, t = inputs.shape[:2]
        feats = self.features(inputs.flatten(0, 1))
        enc = self.encoder(feats, noise=None if noise is None else noise.flatten(0, 1))
        dec = self.decoder(enc['slots'], masks=self.external_masks(enc))
        h, w = self.backbone.grid_size(*inputs.shape[-2:]) if hasattr(
            self.backbone, 'grid_size') else (grid_side(feats.shape[1]), ) * 2
        masks = dec['masks'].reshape(b, t, -1, h, w)
        return dict(slots=enc['slots'].reshape(b, t, *enc['slots'].shape[1:]),
                    masks=masks, reconstruction=dec['reconstruction'], target=feats,
                    **self.diagnostic_fields(enc, dec, feats))
