"""Frozen ViT feature extractors for DINOSAUR (DINOv2, DINOv1, CLIP).

:class:`FrozenViTBackbone` returns patch tokens (B, N, C) of a frozen ViT, CLS and register
tokens removed. Two sources:

* ``source='transformers'``: ``pretrained`` is a Hugging Face id or a local directory
  (``facebook/dinov2-small`` = DINOv2 ViT-S/14, ``facebook/dino-vits16`` = DINOv1 ViT-S/16,
  ``openai/clip-vit-base-patch16`` = CLIP ViT-B/16); or ``hf_config`` (a config dict with
  ``model_type``) builds a randomly initialised model (tests, offline smoke runs).
* ``source='mmpretrain'``: ``mmpretrain.VisionTransformer`` with ``arch`` (e.g.
  ``'dinov2-small'`` or a dict), ``patch_size``, ``img_size`` and optionally ``checkpoint``
  (a local mmpretrain checkpoint file).

``layer='last_block'`` (default) takes the output of the last transformer block without the
final LayerNorm (the DINOSAUR / VideoSAUR choice); ``layer='final_norm'`` takes the
normalised output. The backbone is always in eval mode, without gradients.
"""
from typing import Any, Dict, Optional, Tuple

import torch
import torch.nn as nn

from mmext.registry import MODELS

_HF_CLASSES = {'dinov2': 'Dinov2Model', 'dinov2_with_registers': 'Dinov2WithRegistersModel',
               'vit': 'ViTModel', 'clip': 'CLIPVisionModel',
               'clip_vision_model': 'CLIPVisionModel'}


def _build_hf_model(pretrained: Optional[str], hf_config: Optional[Dict[str, Any]]
                    ) -> Tuple[nn.Module, str]:
    import transformers

    if (pretrained is None) == (hf_config is None):
        raise ValueError('FrozenViTBackbone(source="transformers") needs exactly one of '
                         '`pretrained` (HF id or local dir) and `hf_config` (dict)')
    if hf_config is not None:
        cfg = dict(hf_config)
        model_type = cfg.pop('model_type', None)
        if model_type not in _HF_CLASSES:
            raise ValueError(f'hf_config.model_type must be one of {sorted(_HF_CLASSES)}, '
                             f'got {model_type!r}')
        if model_type.startswith('clip'):
            config = transformers.CLIPVisionConfig(**cfg)
        else:
            config = transformers.AutoConfig.for_model(model_type, **cfg)
        return getattr(transformers, _HF_CLASSES[model_type])(config), model_type
    config = transformers.AutoConfig.from_pretrained(pretrained)
    model_type = config.model_type
    if model_type == 'clip':
        return transformers.CLIPVisionModel.from_pretrained(pretrained), model_type
    if model_type not in _HF_CLASSES:
        raise ValueError(f'{pretrained}: unsupported model_type {model_type!r} '
                         f'(supported: {sorted(_HF_CLASSES)})')
    cls = getattr(transformers, _HF_CLASSES[model_type])
    return cls.from_pretrained(pretrained), model_type


@MODELS.register_module()
class FrozenViTBackbone(nn.Module):
    """Frozen ViT returning patch tokens.

    Config keys:
        source: ``'transformers'`` or ``'mmpretrain'``.
        pretrained: HF id / local directory (transformers).
        hf_config: Config dict with ``model_type`` for a random model (transformers).
        arch, patch_size, img_size, checkpoint: mmpretrain ``VisionTransformer`` settings.
        layer: ``'last_block'`` or ``'final_norm'``.
        mmpretrain_kwargs: Extra ``VisionTransformer`` arguments.
    """

    def __init__(self, source: str = 'transformers', pretrained: Optional[str] = None,
                 hf_config: Optional[Dict[str, Any]] = None, arch: Any = 'dinov2-small',
                 patch_size: int = 14, img_size: int = 224,
                 checkpoint: Optional[str] = None, layer: str = 'last_block',
                 mmpretrain_kwargs: Optional[Dict[str, Any]] = None) -> None:
        super().__init__()
        if layer not in ('last_block', 'final_norm'):
            raise ValueError(f"layer must be 'last_block' or 'final_norm', got {layer!r}")
        self.source, self.layer = source, layer
        if source == 'transformers':
            self.vit, self.model_type = _build_hf_model(pretrained, hf_config)
            cfg = self.vit.config
            self.embed_dim = cfg.hidden_size
            self.patch_size = cfg.patch_size
            self.num_prefix = 1 + int(getattr(cfg, 'num_register_tokens', 0) or 0)
        elif source == 'mmpretrain':
            self.vit = MODELS.build(dict(
                type='mmpretrain.VisionTransformer', arch=arch, patch_size=patch_size,
                img_size=img_size, out_type='raw', with_cls_token=True,
                final_norm=(layer == 'final_norm'), **(mmpretrain_kwargs or {})))
            if checkpoint is not None:
                from mmengine.runner import load_checkpoint
                load_checkpoint(self.vit, checkpoint, map_location='cpu')
            self.model_type = 'mmpretrain'
            self.embed_dim = self.vit.embed_dims
            self.patch_size = patch_size
            self.num_prefix = self.vit.num_extra_tokens
        else:
            raise ValueError(f"source must be 'transformers' or 'mmpretrain', got {source!r}")
        for p in self.vit.parameters():
            p.requires_grad_(False)
        self.vit.eval()

    def init_weights(self) -> None:
        """Keep the loaded (pretrained) weights: never re-initialised by the runner."""

    def train(self, mode: bool = True) -> 'FrozenViTBackbone':
        """Keep the ViT in eval mode whatever the runner asks."""
        super().train(mode)
        self.vit.eval()
        return self

    def grid_size(self, height: int, width: int) -> Tuple[int, int]:
        """Patch grid (h, w) for an input of ``height`` x ``width`` pixels."""
        return height // self.patch_size, width // self.patch_size

    @torch.no_grad()
    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Patch tokens (B, h*w, C) of normalised images (B, 3, H, W)."""
        h, w = self.grid_size(*images.shape[-2:])
        if self.source == 'mmpretrain':
            tokens = self.vit(images)[-1]
        else:
            kwargs = {} if self.model_type.startswith('dinov2') else dict(
                interpolate_pos_encoding=True)
            out = self.vit(pixel_values=images, output_hidden_states=True, **kwargs)
            tokens = out.hidden_states[-1] if self.layer == 'last_block' \
                else out.last_hidden_state
        tokens = tokens[:, self.num_prefix:]
        if tokens.shape[1] != h * w:
            raise RuntimeError(f'{self.model_type} returned {tokens.shape[1]} patch tokens '
                               f'for a {h}x{w} grid')
        return tokens
