"""DINOv2 ViT backbone for Depth Anything (transformers' ``Dinov2Backbone`` in an mmext module)."""
import math
import types
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mmext.registry import MODELS

# DAV2's intermediate layers (0-based block indices) per encoder size.
DAV2_LAYERS = {'vits': [2, 5, 8, 11], 'vitb': [2, 5, 8, 11], 'vitl': [4, 11, 17, 23],
               'vitg': [9, 19, 29, 39]}
DAV2_ARCHS = {  # hidden size, depth, heads
    'vits': (384, 12, 6), 'vitb': (768, 12, 12), 'vitl': (1024, 24, 16),
}


POS_EMBED_INTERP = ('official', 'hf')


def official_interpolate_pos_embed(pos_embed: Tensor, grid_h: int, grid_w: int,
                                   offset: float = 0.1, antialias: bool = False) -> Tensor:
    """Position embedding ``(1, 1 + N, C)`` for a ``grid_h x grid_w`` patch grid, as DINOv2's
    ``DinoVisionTransformer.interpolate_pos_encoding`` (used by DAV2) computes it.

    The ``sqrt(N) x sqrt(N)`` grid is resized bicubically with
    ``scale_factor = ((grid_h + offset) / sqrt(N), (grid_w + offset) / sqrt(N))`` (no
    antialias): the sampling positions follow that scale factor, not the exact ratio
    ``grid / sqrt(N)`` that transformers uses (``size=``), which is why the two
    differ at every grid other than the native square one.

    Args:
        pos_embed: Class + patch position embeddings ``(1, 1 + N, C)``.
        grid_h: Patch rows of the input (``H // patch``).
        grid_w: Patch columns of the input (``W // patch``).
        offset: DINOv2's ``interpolate_offset`` (0.1; 0.0 for the register variants).
        antialias: DINOv2's ``interpolate_antialias`` (False for DAV2).
    """
    N = pos_embed.shape[1] - 1
    side = int(math.sqrt(N))
    if side * side != N:
        raise ValueError(f'position embedding of {N} patches is not a square grid')
    if grid_h * grid_w == N and grid_h == grid_w:
        return pos_embed
    dtype = pos_embed.dtype
    pe = pos_embed.float()
    cls_pe, patch_pe = pe[:, :1], pe[:, 1:]
    dim = pe.shape[-1]
    sh, sw = (grid_h + offset) / math.sqrt(N), (grid_w + offset) / math.sqrt(N)
    patch_pe = F.interpolate(patch_pe.reshape(1, side, side, dim).permute(0, 3, 1, 2),
                             scale_factor=(sh, sw), mode='bicubic', antialias=antialias)
    if tuple(patch_pe.shape[-2:]) != (grid_h, grid_w):
        raise RuntimeError(f'position embedding resized to {tuple(patch_pe.shape[-2:])}, '
                           f'expected {(grid_h, grid_w)}')
    patch_pe = patch_pe.permute(0, 2, 3, 1).reshape(1, -1, dim)
    return torch.cat((cls_pe, patch_pe), dim=1).to(dtype)


def _official_interpolation(patch_size: int):
    """Replacement of transformers' ``Dinov2Embeddings.interpolate_pos_encoding`` (bound to
    the embeddings module; ``height``/``width`` in pixels)."""

    def interpolate_pos_encoding(self, embeddings: Tensor, height: int, width: int) -> Tensor:
        return official_interpolate_pos_embed(self.position_embeddings, height // patch_size,
                                              width // patch_size)
    return interpolate_pos_encoding


@MODELS.register_module()
class DINOv2Backbone(nn.Module):
    """DINOv2 ViT returning the normalised tokens (class token first) of chosen blocks.

    The blocks are run by ``transformers.Dinov2Backbone`` so weights from Hugging Face
    directories load without conversion; official DAV2 ``.pth`` weights are converted by
    :mod:`mmext.depth.models.checkpoint`.

    Args:
        arch: ``'vits'``, ``'vitb'``, ``'vitl'`` or ``None`` to give the sizes below.
        hidden_size: Width (when ``arch`` is None).
        num_layers: Depth (when ``arch`` is None).
        num_heads: Attention heads (when ``arch`` is None).
        out_indices: 0-based blocks whose output is returned (DAV2's per ``arch`` by default).
        patch_size: Patch size (14 for DINOv2).
        image_size: Size the position embedding is defined for (518 for DAV2).
        mlp_ratio: MLP width ratio.
        drop_path_rate: Stochastic depth.
        pos_embed_interp: How the position embedding is resized for inputs other than the
            native square grid: ``'official'`` (default) as DINOv2 / DAV2's own code
            (``scale_factor=(h0 + 0.1)/sqrt(N)``, bicubic, no antialias) so outputs equal the
            official model at every input size; ``'hf'`` as transformers' port (``size=`` the
            exact grid), to reproduce ``DepthAnythingForDepthEstimation`` outputs.
        trainable_blocks: Fine-tune only the last N transformer blocks (and the final norm);
            the patch/position embeddings and earlier blocks are frozen (log 000's "keep the
            pretrained prior"). ``None``: every parameter trainable.
        lora: LoRA adapters via the ``peft`` library, e.g. ``dict(r=8, lora_alpha=16,
            target_modules=['q_proj', 'v_proj'], lora_dropout=0.0)``; every original backbone
            weight is then frozen and only the adapters train. Pretrained weights still load
            (``load_depth_anything`` maps ``x.weight`` to peft's ``x.base_layer.weight``).
    """

    def __init__(self, arch: Optional[str] = 'vitl', hidden_size: int = 384,
                 num_layers: int = 12, num_heads: int = 6,
                 out_indices: Optional[Sequence[int]] = None, patch_size: int = 14,
                 image_size: int = 518, mlp_ratio: int = 4,
                 drop_path_rate: float = 0.0, pos_embed_interp: str = 'official',
                 trainable_blocks: Optional[int] = None,
                 lora: Optional[Dict] = None) -> None:
        super().__init__()
        if pos_embed_interp not in POS_EMBED_INTERP:
            raise ValueError(f'pos_embed_interp must be one of {POS_EMBED_INTERP}, '
                             f'got {pos_embed_interp!r}')
        from transformers import Dinov2Config
        from transformers.models.dinov2.modeling_dinov2 import Dinov2Backbone
        if arch is not None:
            if arch not in DAV2_ARCHS:
                raise ValueError(f'arch must be one of {sorted(DAV2_ARCHS)} or None, got {arch!r}')
            hidden_size, num_layers, num_heads = DAV2_ARCHS[arch]
            out_indices = out_indices if out_indices is not None else DAV2_LAYERS[arch]
        if out_indices is None:
            raise ValueError('DINOv2Backbone needs out_indices when arch is None')
        if max(out_indices) >= num_layers:
            raise ValueError(f'out_indices {list(out_indices)} exceed num_layers={num_layers}')
        self.out_indices = list(out_indices)
        self.patch_size, self.embed_dim = patch_size, hidden_size
        cfg = Dinov2Config(hidden_size=hidden_size, num_hidden_layers=num_layers,
                           num_attention_heads=num_heads, mlp_ratio=mlp_ratio,
                           image_size=image_size, patch_size=patch_size,
                           drop_path_rate=drop_path_rate,
                           out_indices=[i + 1 for i in self.out_indices],  # stage 0 = stem
                           reshape_hidden_states=False, apply_layernorm=True)
        self.dinov2 = Dinov2Backbone(cfg)
        self.pos_embed_interp = pos_embed_interp
        if pos_embed_interp == 'official':
            emb = self.dinov2.embeddings
            if not callable(getattr(emb, 'interpolate_pos_encoding', None)):
                raise RuntimeError('this transformers version has no Dinov2Embeddings.'
                                   'interpolate_pos_encoding to replace; cannot reproduce the '
                                   'official DINOv2 position-embedding interpolation')
            emb.interpolate_pos_encoding = types.MethodType(
                _official_interpolation(patch_size), emb)
        if trainable_blocks is not None and lora is not None:
            raise ValueError('choose one of trainable_blocks and lora')
        self.trainable_blocks, self.lora = trainable_blocks, lora
        if trainable_blocks is not None:
            if not 0 <= trainable_blocks <= num_layers:
                raise ValueError(f'trainable_blocks must be in [0, {num_layers}], '
                                 f'got {trainable_blocks}')
            first = num_layers - trainable_blocks
            for name, p in self.dinov2.named_parameters():
                keep = name.startswith('layernorm.') or any(
                    name.startswith(f'encoder.layer.{i}.') for i in range(first, num_layers))
                p.requires_grad_(keep)
        if lora is not None:
            self._inject_lora(dict(lora))

    def _inject_lora(self, lora: Dict) -> None:
        try:
            from peft import LoraConfig, inject_adapter_in_model
        except ImportError as e:
            raise ImportError('DINOv2Backbone(lora=...) needs the peft library: '
                              'pip install peft (requirements/optional.txt)') from e
        lora.setdefault('target_modules', ['q_proj', 'v_proj'])
        names = {n.rsplit('.', 1)[-1] for n, _ in self.dinov2.named_modules()}
        unknown = [t for t in lora['target_modules'] if t not in names]
        if unknown:
            raise ValueError(f'lora target_modules {unknown} are not modules of the DINOv2 '
                             f'encoder (e.g. q_proj, k_proj, v_proj, o_proj, fc1, fc2)')
        self.dinov2 = inject_adapter_in_model(LoraConfig(**lora), self.dinov2)
        for name, p in self.dinov2.named_parameters():
            p.requires_grad_('lora_' in name)

    @classmethod
    def config_from_hf(cls, hf_backbone_config, pos_embed_interp: str = 'official') -> Dict:
        """Keyword arguments reproducing a transformers ``Dinov2Config`` (backbone part)."""
        c = hf_backbone_config
        return dict(arch=None, pos_embed_interp=pos_embed_interp, hidden_size=c.hidden_size,
                    num_layers=c.num_hidden_layers,
                    num_heads=c.num_attention_heads, out_indices=[i - 1 for i in c.out_indices],
                    patch_size=c.patch_size, image_size=c.image_size, mlp_ratio=c.mlp_ratio)

    def forward(self, x: Tensor) -> List[Tensor]:
        """``(B, 3, H, W)`` -> list of ``(B, 1 + N, C)`` token maps (H, W multiples of 14)."""
        if x.shape[-2] % self.patch_size or x.shape[-1] % self.patch_size:
            raise ValueError(f'input size {tuple(x.shape[-2:])} must be a multiple of the patch '
                             f'size {self.patch_size}')
        return list(self.dinov2(x).feature_maps)
