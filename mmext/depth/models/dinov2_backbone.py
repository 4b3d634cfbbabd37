"""DINOv2 ViT backbone for Depth Anything (transformers' ``Dinov2Backbone`` in an mmext module)."""
from typing import Dict, List, Optional, Sequence

from torch import Tensor, nn

from mmext.registry import MODELS

# DAV2's intermediate layers (0-based block indices) per encoder size.
DAV2_LAYERS = {'vits': [2, 5, 8, 11], 'vitb': [2, 5, 8, 11], 'vitl': [4, 11, 17, 23],
               'vitg': [9, 19, 29, 39]}
DAV2_ARCHS = {  # hidden size, depth, heads
    'vits': (384, 12, 6), 'vitb': (768, 12, 12), 'vitl': (1024, 24, 16),
}


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
    """

    def __init__(self, arch: Optional[str] = 'vitl', hidden_size: int = 384,
                 num_layers: int = 12, num_heads: int = 6,
                 out_indices: Optional[Sequence[int]] = None, patch_size: int = 14,
                 image_size: int = 518, mlp_ratio: int = 4,
                 drop_path_rate: float = 0.0) -> None:
        super().__init__()
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

    @classmethod
    def config_from_hf(cls, hf_backbone_config) -> Dict:
        """Keyword arguments reproducing a transformers ``Dinov2Config`` (backbone part)."""
        c = hf_backbone_config
        return dict(arch=None, hidden_size=c.hidden_size, num_layers=c.num_hidden_layers,
                    num_heads=c.num_attention_heads, out_indices=[i - 1 for i in c.out_indices],
                    patch_size=c.patch_size, image_size=c.image_size, mlp_ratio=c.mlp_ratio)

    def forward(self, x: Tensor) -> List[Tensor]:
        """``(B, 3, H, W)`` -> list of ``(B, 1 + N, C)`` token maps (H, W multiples of 14)."""
        if x.shape[-2] % self.patch_size or x.shape[-1] % self.patch_size:
            raise ValueError(f'input size {tuple(x.shape[-2:])} must be a multiple of the patch '
                             f'size {self.patch_size}')
        return list(self.dinov2(x).feature_maps)
