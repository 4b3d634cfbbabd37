"""Slot decoders: the DINOSAUR MLP patch decoder and a spatial-broadcast pixel decoder.

Both decode every slot independently into (value, alpha) per position and combine the
slots with ``masks = softmax_over_slots(alpha / mask_temperature)``,
``reconstruction = sum_k masks_k * value_k``. ``mask_temperature`` is the seed's tau: the
alpha logits of a freshly trained decoder were tiny (std 0.03), giving near-uniform masks;
dividing by tau = 0.5 gave the clearest masks.
"""
from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmext.registry import MODELS


BINARIZE = ('none', 'gumbel', 'hard')


def slot_masks(alpha: torch.Tensor, mask_temperature: float, binarize: str = 'none',
               gumbel_hard: bool = True) -> torch.Tensor:
    """Masks from alpha logits (B, K, N), normalised over slots (dim 1).

    Args:
        alpha: Alpha logits.
        mask_temperature: Tau dividing the logits.
        binarize: ``'none'`` -- ``softmax(alpha / tau)`` (DINOSAUR); ``'gumbel'`` --
            Gumbel-softmax ``softmax((alpha + g) / tau)``, ``g ~ Gumbel(0, 1)``
            (``torch.nn.functional.gumbel_softmax``), one-hot in the forward pass with
            straight-through gradients when ``gumbel_hard``; ``'hard'`` -- one-hot argmax in
            the forward pass, gradients of ``softmax(alpha / tau)`` (straight-through).
        gumbel_hard: See ``binarize='gumbel'``.
    """
    if binarize == 'none':
        return (alpha / mask_temperature).softmax(dim=1)
    if binarize == 'gumbel':
        return F.gumbel_softmax(alpha, tau=mask_temperature, hard=gumbel_hard, dim=1)
    if binarize == 'hard':
        soft = (alpha / mask_temperature).softmax(dim=1)
        hard = F.one_hot(soft.argmax(dim=1), soft.shape[1]).movedim(-1, 1).to(soft)
        return hard - soft.detach() + soft
    raise ValueError(f'binarize must be one of {BINARIZE}, got {binarize!r}')


def combine_slots(values: torch.Tensor, alpha: torch.Tensor, mask_temperature: float,
                  masks: Optional[torch.Tensor] = None, binarize: str = 'none',
                  gumbel_hard: bool = True) -> Dict[str, torch.Tensor]:
    """Alpha-composite per-slot decodings.

    Args:
        values: (B, K, N, C) per-slot decoded values.
        alpha: (B, K, N) per-slot alpha logits.
        mask_temperature: Divides the logits before the softmax over slots.
        masks: Optional external masks (B, K, N) (e.g. the slot attention maps, for the
            ``mask_source='attention'`` variant); used instead of the alpha softmax.
        binarize, gumbel_hard: See :func:`slot_masks` (training-time binarisation).

    Returns:
        ``reconstruction`` (B, N, C), ``masks`` (B, K, N) (sum to 1 over K) and ``logits``,
        the alpha logits (B, K, N) before the temperature (for the diagnostics).
    """
    if masks is None:
        masks = slot_masks(alpha, mask_temperature, binarize, gumbel_hard)
    recon = (masks.unsqueeze(-1) * values).sum(dim=1)
    return dict(reconstruction=recon, masks=masks, logits=alpha)


@MODELS.register_module()
class MLPPatchDecoder(nn.Module):
    """DINOSAUR's MLP decoder: slot + learned position embedding -> MLP -> feature + alpha.

    Config keys:
        slot_dim: Slot dimension.
        out_dim: Feature dimension to reconstruct (backbone C).
        num_patches: Number of patch tokens N (e.g. 256 for 224 px with /14 patches).
        hidden_dim: Hidden width (DINOSAUR: 1024 for ViT-S).
        num_layers: Number of Linear layers (DINOSAUR: 4).
        mask_temperature: Tau dividing the alpha logits (``SlotTemperatureHook`` can
            anneal it).
        binarize: ``'none'`` (DINOSAUR), ``'gumbel'`` or ``'hard'``: binarised masks while
            training (:func:`slot_masks`); evaluation always uses the soft masks.
        gumbel_hard: Straight-through one-hot Gumbel samples (``binarize='gumbel'``).
    """

    def __init__(self, slot_dim: int, out_dim: int, num_patches: int, hidden_dim: int = 1024,
                 num_layers: int = 4, mask_temperature: float = 1.0, binarize: str = 'none',
                 gumbel_hard: bool = True) -> None:
        super().__init__()
        if binarize not in BINARIZE:
            raise ValueError(f'binarize must be one of {BINARIZE}, got {binarize!r}')
        self.binarize, self.gumbel_hard = binarize, gumbel_hard
        if num_layers < 2:
            raise ValueError(f'num_layers must be >= 2, got {num_layers}')
        if mask_temperature <= 0:
            raise ValueError(f'mask_temperature must be > 0, got {mask_temperature}')
        self.num_patches = num_patches
        self.out_dim = out_dim
        self.mask_temperature = float(mask_temperature)
        self.pos_embed = nn.Parameter(torch.randn(1, 1, num_patches, slot_dim) * 0.02)
        layers = [nn.Linear(slot_dim, hidden_dim), nn.ReLU(inplace=True)]
        for _ in range(num_layers - 2):
            layers += [nn.Linear(hidden_dim, hidden_dim), nn.ReLU(inplace=True)]
        layers.append(nn.Linear(hidden_dim, out_dim + 1))
        self.mlp = nn.Sequential(*layers)

    def forward(self, slots: torch.Tensor,
                masks: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
        """Decode slots (B, K, D) into ``reconstruction`` (B, N, C) and ``masks`` (B, K, N);
        ``masks`` (B, K, N), if given, replace the decoded alpha masks."""
        x = slots.unsqueeze(2) + self.pos_embed  # (B, K, N, D)
        out = self.mlp(x)
        return combine_slots(out[..., :-1], out[..., -1], self.mask_temperature, masks,
                             self.binarize if self.training else 'none', self.gumbel_hard)


class SoftPositionEmbed(nn.Module):
    """Adds a linear map of the (y, x, 1-y, 1-x) coordinate grid (Slot Attention paper)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.proj = nn.Linear(4, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, C, H, W) -> same shape with the embedding added."""
        h, w = x.shape[-2:]
        ys = torch.linspace(0, 1, h, device=x.device)
        xs = torch.linspace(0, 1, w, device=x.device)
        yy, xx = torch.meshgrid(ys, xs, indexing='ij')
        grid = torch.stack([yy, xx, 1 - yy, 1 - xx], dim=-1)
        return x + self.proj(grid).permute(2, 0, 1).unsqueeze(0)


@MODELS.register_module()
class SpatialBroadcastDecoder(nn.Module):
    """Pixel decoder of the Slot Attention autoencoder (RGB + alpha per slot).

    Each slot is broadcast to a ``init_size`` grid, position-embedded and upsampled by
    ``num_upsample`` stride-2 transposed convolutions to ``init_size * 2**num_upsample``.

    Config keys:
        slot_dim, hidden_channels, init_size, num_upsample, out_channels (3 = RGB),
        mask_temperature, binarize, gumbel_hard (as :class:`MLPPatchDecoder`).
    """

    def __init__(self, slot_dim: int, hidden_channels: int = 32, init_size: int = 8,
                 num_upsample: int = 3, out_channels: int = 3,
                 mask_temperature: float = 1.0, binarize: str = 'none',
                 gumbel_hard: bool = True) -> None:
        super().__init__()
        if binarize not in BINARIZE:
            raise ValueError(f'binarize must be one of {BINARIZE}, got {binarize!r}')
        self.binarize, self.gumbel_hard = binarize, gumbel_hard
        self.init_size = init_size
        self.out_channels = out_channels
        self.mask_temperature = float(mask_temperature)
        self.pos = SoftPositionEmbed(slot_dim)
        layers = []
        c_in = slot_dim
        for _ in range(num_upsample):
            layers += [nn.ConvTranspose2d(c_in, hidden_channels, 5, stride=2, padding=2,
                                          output_padding=1), nn.ReLU(inplace=True)]
            c_in = hidden_channels
        layers += [nn.Conv2d(c_in, hidden_channels, 3, padding=1), nn.ReLU(inplace=True),
                   nn.Conv2d(hidden_channels, out_channels + 1, 3, padding=1)]
        self.net = nn.Sequential(*layers)

    def forward(self, slots: torch.Tensor,
                masks: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
        """Decode slots (B, K, D): ``reconstruction`` (B, H*W, C), ``masks`` (B, K, H*W)
        and ``size`` (H, W); ``masks`` (B, K, H*W), if given, replace the alpha masks."""
        b, k, d = slots.shape
        x = slots.reshape(b * k, d, 1, 1).expand(-1, -1, self.init_size, self.init_size)
        out = self.net(self.pos(x))  # (B*K, C+1, H, W)
        h, w = out.shape[-2:]
        out = out.reshape(b, k, self.out_channels + 1, h * w).transpose(2, 3)
        if masks is not None and masks.shape[-1] != h * w:
            raise ValueError(f'external masks have {masks.shape[-1]} positions, the decoder '
                             f'outputs {h}x{w}')
        res = combine_slots(out[..., :-1], out[..., -1], self.mask_temperature, masks,
                            self.binarize if self.training else 'none', self.gumbel_hard)
        res['size'] = (h, w)
        return res
