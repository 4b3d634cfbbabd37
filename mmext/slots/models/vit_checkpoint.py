"""DINOv2 / ViT checkpoints into mmpretrain's ``VisionTransformer`` keys.

Three layouts are accepted (:func:`detect_layout`):

* ``'mmpretrain_zoo'``: mmpretrain model-zoo files (``vit-small-p14_dinov2-pre_3rdparty_*.pth``)
  with ``state_dict`` keys ``backbone.layers.0.ln1.weight`` ...; the ``backbone.`` prefix is
  stripped (``head.``/``neck.`` keys are dropped, they are not the backbone's);
* ``'mmpretrain'``: bare ``VisionTransformer`` keys (``layers.0.attn.gamma1.weight`` ...);
* ``'official'``: facebookresearch/dinov2 hub files (``dinov2_vits14_pretrain.pth``:
  ``blocks.0.norm1.weight``, ``blocks.0.ls1.gamma``, ``patch_embed.proj.weight`` ...),
  converted by :func:`official_dinov2_to_mmpretrain`. Register-token (``*_reg``) and SwiGLU
  (ViT-g) checkpoints have no ``VisionTransformer`` counterpart and are refused.

Hugging Face (``embeddings.patch_embeddings...``) state dicts are refused with a pointer to
``FrozenViTBackbone(source='transformers')``, which reads them natively.
"""
import re
from typing import Dict, Mapping

from torch import Tensor

from mmext.utils.weight_loading import IncompleteWeightsError

__all__ = ['detect_layout', 'official_dinov2_to_mmpretrain', 'to_mmpretrain_vit_keys',
           'read_state_dict']

_OFFICIAL_BLOCK = {  # facebookresearch/dinov2 block names -> mmpretrain layer names
    'norm1.weight': 'ln1.weight', 'norm1.bias': 'ln1.bias',
    'attn.qkv.weight': 'attn.qkv.weight', 'attn.qkv.bias': 'attn.qkv.bias',
    'attn.proj.weight': 'attn.proj.weight', 'attn.proj.bias': 'attn.proj.bias',
    'ls1.gamma': 'attn.gamma1.weight',
    'norm2.weight': 'ln2.weight', 'norm2.bias': 'ln2.bias',
    'mlp.fc1.weight': 'ffn.layers.0.0.weight', 'mlp.fc1.bias': 'ffn.layers.0.0.bias',
    'mlp.fc2.weight': 'ffn.layers.1.weight', 'mlp.fc2.bias': 'ffn.layers.1.bias',
    'ls2.gamma': 'ffn.gamma2.weight',
}
_OFFICIAL_TOP = {
    'cls_token': 'cls_token', 'pos_embed': 'pos_embed',
    'patch_embed.proj.weight': 'patch_embed.projection.weight',
    'patch_embed.proj.bias': 'patch_embed.projection.bias',
    'norm.weight': 'ln1.weight', 'norm.bias': 'ln1.bias',
}


def detect_layout(sd: Mapping[str, Tensor]) -> str:
    """Name the layout of a ViT state dict (see the module docstring), or ``'unknown'``."""
    keys = set(sd)
    if any(k.startswith('backbone.layers.') or k.startswith('backbone.patch_embed.')
           for k in keys):
        return 'mmpretrain_zoo'
    if any(k.startswith('layers.') for k in keys) and 'patch_embed.projection.weight' in keys:
        return 'mmpretrain'
    if any(k.startswith('blocks.') for k in keys) and 'patch_embed.proj.weight' in keys:
        return 'official'
    if any('embeddings.patch_embeddings' in k for k in keys):
        return 'transformers'
    return 'unknown'


def official_dinov2_to_mmpretrain(sd: Mapping[str, Tensor], source: str = 'checkpoint'
                                  ) -> Dict[str, Tensor]:
    """facebookresearch/dinov2 keys -> mmpretrain ``VisionTransformer`` keys.

    ``mask_token`` (used only by DINOv2's masked training) is dropped. Raises
    :class:`IncompleteWeightsError` for register tokens, SwiGLU FFNs or unknown keys.
    """
    out: Dict[str, Tensor] = {}
    unknown = []
    for k, v in sd.items():
        if k == 'mask_token':
            continue
        if k == 'register_tokens':
            raise IncompleteWeightsError(
                f'{source}: a DINOv2 checkpoint with register tokens (*_reg) has no '
                'mmpretrain VisionTransformer counterpart; use FrozenViTBackbone('
                "source='transformers', pretrained='facebook/dinov2-with-registers-small').")
        if k in _OFFICIAL_TOP:
            out[_OFFICIAL_TOP[k]] = v
            continue
        m = re.match(r'blocks\.(\d+)\.(.+)$', k)
        if m and m[2].startswith(('mlp.w12', 'mlp.w3')):
            raise IncompleteWeightsError(
                f'{source}: SwiGLU DINOv2 blocks (ViT-g, {k}) are not converted; use the '
                "transformers backbone (source='transformers').")
        if m and m[2] in _OFFICIAL_BLOCK:
            out[f'layers.{m[1]}.{_OFFICIAL_BLOCK[m[2]]}'] = v
        else:
            unknown.append(k)
    if unknown:
        raise IncompleteWeightsError(
            f'{source}: {len(unknown)} keys of the facebookresearch DINOv2 layout have no '
            f'mmpretrain counterpart: {unknown[:6]}')
    return out


def to_mmpretrain_vit_keys(sd: Mapping[str, Tensor], source: str = 'checkpoint'
                           ) -> Dict[str, Tensor]:
    """Bring a state dict of any accepted layout to bare mmpretrain ``VisionTransformer``
    keys (see the module docstring)."""
    sd = {k[len('module.'):] if k.startswith('module.') else k: v for k, v in sd.items()}
    layout = detect_layout(sd)
    if layout == 'mmpretrain_zoo':
        out, other = {}, []
        for k, v in sd.items():
            if k.startswith('backbone.'):
                out[k[len('backbone.'):]] = v
            elif not k.startswith(('head.', 'neck.', 'data_preprocessor.')):
                other.append(k)
        if other:
            raise IncompleteWeightsError(f'{source}: keys outside backbone./head./neck. in an '
                                         f'mmpretrain checkpoint: {other[:6]}')
        return out
    if layout == 'mmpretrain':
        return dict(sd)
    if layout == 'official':
        return official_dinov2_to_mmpretrain(sd, source)
    if layout == 'transformers':
        raise IncompleteWeightsError(
            f"{source}: a Hugging Face state dict; use FrozenViTBackbone(source='transformers',"
            ' pretrained=<HF id or directory>) for it')
    raise IncompleteWeightsError(
        f'{source}: unknown ViT checkpoint layout (first keys {sorted(sd)[:5]}); expected an '
        'mmpretrain zoo file (backbone.layers.*), bare mmpretrain keys (layers.*) or a '
        'facebookresearch DINOv2 file (blocks.*)')


def read_state_dict(path: str) -> Dict[str, Tensor]:
    """Read a checkpoint file and return its state dict (``state_dict``/``model`` entries
    of training checkpoints are unwrapped)."""
    from mmengine.runner.checkpoint import CheckpointLoader
    ckpt = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    if isinstance(ckpt, dict):
        for key in ('state_dict', 'model'):
            if key in ckpt and isinstance(ckpt[key], dict):
                return ckpt[key]
        return ckpt
    raise IncompleteWeightsError(f'{path}: expected a state dict, got {type(ckpt).__name__}')
