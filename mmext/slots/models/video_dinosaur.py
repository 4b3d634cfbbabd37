"""Video DINOSAUR: SAVi-style slot propagation over frames (VideoSAUR-like, seed 004).

Frame 0 groups the features from sampled slots with ``encoder.iters`` iterations. For
t > 0, a :class:`SlotPredictor` (a transformer encoder layer over the slots) maps the
previous frame's slots to the next frame's initial slots, which slot attention corrects
with ``corrector_iters`` iterations (fewer than at frame 0). The seed's collapse guards:

* ``stop_gradient`` (the best one in its ablation): the predictor sees ``slots.detach()``;
* ``output_norm``: LayerNorm on the predictor output.
"""
from typing import Dict, Optional

import torch
import torch.nn as nn

from mmext.registry import MODELS
from .dinosaur import DINOSAUR


@MODELS.register_module()
class SlotPredictor(nn.Module):
    """Transformer encoder layer over slots (+ optional output LayerNorm).

    Config keys:
        dim: Slot dimension.
        num_heads: Attention heads.
        ffn_dim: Feed-forward width (default ``4 * dim``).
        output_norm: Apply LayerNorm to the predicted slots.
        dropout: Dropout of the transformer layer.
    """

    def __init__(self, dim: int, num_heads: int = 4, ffn_dim: Optional[int] = None,
                 output_norm: bool = False, dropout: float = 0.0) -> None:
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(dim, num_heads, ffn_dim or 4 * dim,
                                                dropout=dropout, batch_first=True,
                                                norm_first=True)
        self.norm = nn.LayerNorm(dim) if output_norm else nn.Identity()

    def forward(self, slots: torch.Tensor) -> torch.Tensor:
        """Predict next-frame slots from slots (B, K, D)."""
        return self.norm(self.layer(slots))


@MODELS.register_module()
class MLPSlotPredictor(nn.Module):
    """The log's small residual-MLP predictor: ``LN_out(slots + MLP(slots))``.

    Seed 004 (Phase 4, ``SlotPredictor``): ``predicted = slots + predictor(slots)`` followed by
    an output LayerNorm; slots do not interact (unlike :class:`SlotPredictor`).

    Config keys:
        dim: Slot dimension.
        hidden_dim: Hidden width of the 2-layer MLP (default ``2 * dim``).
        output_norm: Apply LayerNorm to the predicted slots (the log: yes).
    """

    def __init__(self, dim: int, hidden_dim: Optional[int] = None,
                 output_norm: bool = True) -> None:
        super().__init__()
        hidden = hidden_dim or 2 * dim
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(inplace=True),
                                 nn.Linear(hidden, dim))
        self.norm = nn.LayerNorm(dim) if output_norm else nn.Identity()

    def forward(self, slots: torch.Tensor) -> torch.Tensor:
        """Predict next-frame slots from slots (B, K, D)."""
        return self.norm(slots + self.mlp(slots))


@MODELS.register_module()
class VideoDINOSAUR(DINOSAUR):
    """DINOSAUR with slots carried across frames.

    Config keys (in addition to :class:`DINOSAUR`'s):
        predictor: ``SlotPredictor`` (transformer layer) or ``MLPSlotPredictor`` (the log's
            residual MLP) config.
        stop_gradient: Detach slots before the predictor.
        corrector_iters: Slot attention iterations for frames t > 0.
    """

    def __init__(self, backbone: dict, encoder: dict, decoder: dict, predictor: dict,
                 stop_gradient: bool = True, corrector_iters: int = 1,
                 mask_source: str = 'decoder', data_preprocessor: Optional[dict] = None,
                 test_cfg: Optional[dict] = None, init_cfg: Optional[dict] = None,
                 diagnostics: bool = True) -> None:
        super().__init__(backbone, encoder, decoder, mask_source=mask_source,
                         data_preprocessor=data_preprocessor, test_cfg=test_cfg,
                         init_cfg=init_cfg, diagnostics=diagnostics)
        if corrector_iters < 1:
            raise ValueError(f'corrector_iters must be >= 1, got {corrector_iters}')
        self.predictor = MODELS.build(predictor)
        self.stop_gradient = stop_gradient
        self.corrector_iters = corrector_iters

    def encode(self, inputs: torch.Tensor,
               noise: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
        """Encode clips (B, T, 3, H, W) sequentially; ``noise`` (B, T, K, D) uses frame 0."""
        b, t = inputs.shape[:2]
        feats = self.features(inputs.flatten(0, 1))
        feats = feats.reshape(b, t, *feats.shape[1:])
        slots_t, attn_t, tokens_t = [], [], []
        slots = None
        for i in range(t):
            if i == 0:
                enc = self.encoder(feats[:, 0], noise=None if noise is None else noise[:, 0])
            else:
                prev = slots.detach() if self.stop_gradient else slots
                enc = self.encoder(feats[:, i], slots=self.predictor(prev),
                                   iters=self.corrector_iters)
            slots = enc['slots']
            slots_t.append(slots)
            attn_t.append(enc['attn'])
            tokens_t.append(enc['tokens'])
        slots_all = torch.stack(slots_t, dim=1)  # (B, T, K, D)
        enc_all = dict(attn=torch.stack(attn_t, dim=1).flatten(0, 1),  # (B*T, N, K)
                       tokens=torch.stack(tokens_t, dim=1).flatten(0, 1))
        dec = self.decoder(slots_all.flatten(0, 1), masks=self.external_masks(enc_all))
        h, w = self.backbone.grid_size(*inputs.shape[-2:])
        target = feats.flatten(0, 1)
        return dict(slots=slots_all, masks=dec['masks'].reshape(b, t, -1, h, w),
                    reconstruction=dec['reconstruction'], target=target,
                    **self.diagnostic_fields(enc_all, dec, target))
