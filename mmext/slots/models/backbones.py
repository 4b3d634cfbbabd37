"""Frozen ViT feature extractors for DINOSAUR (DINOv2, DINOv1, CLIP).

:class:`FrozenViTBackbone` returns patch tokens (B, N, C) of a frozen ViT, CLS and register
tokens removed. Two sources:

* ``source='transformers'``: ``pretrained`` is a Hugging Face id or a local directory
  (``facebook/dinov2-small`` = DINOv2 ViT-S/14, ``facebook/dino-vits16`` = DINOv1 ViT-S/16,
  ``openai/clip-vit-base-patch16`` = CLIP ViT-B/16); or ``hf_config`` (a config dict with
  ``model_type``) builds a randomly initialised model (tests, offline smoke runs).
* ``source='mmpretrain'``: ``mmpretrain.VisionTransformer`` with ``arch`` (e.g.
  ``'dinov2-small'`` or a dict), ``patch_size``, ``img_size`` and optionally ``checkpoint``
  (a local file: mmpretrain zoo layout, bare mmpretrain keys, or the facebookresearch
  DINOv2 layout, converted). ``dinov2-*`` archs get ``layer_scale_init_value=1e-5`` (as
  mmpretrain's DINOv2 configs), so the checkpoints' LayerScale gammas have a place to go.
  Every key must load (an error otherwise): a frozen backbone that silently keeps random
  weights trains on noise.

``layer='last_block'`` (default) takes the output of the last transformer block without the
final LayerNorm (the DINOSAUR / VideoSAUR choice); ``layer='final_norm'`` takes the
normalised output. The backbone is always in eval mode, without gradients.
"""
import logging
from typing import Any, Dict, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.logging import print_log

from mmext.registry import MODELS
from mmext.utils.weight_loading import load_all_keys, require_all_keys_loaded
from .vit_checkpoint import read_state_dict, to_mmpretrain_vit_keys

#: ``layer_scale_init_value`` of mmpretrain's DINOv2 configs (``configs/dinov2/*.py``).
DINOV2_LAYER_SCALE_INIT = 1e-5

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
        cls = transformers.CLIPVisionModel
    elif model_type in _HF_CLASSES:
        cls = getattr(transformers, _HF_CLASSES[model_type])
    else:
        raise ValueError(f'{pretrained}: unsupported model_type {model_type!r} '
                         f'(supported: {sorted(_HF_CLASSES)})')
    model, info = cls.from_pretrained(pretrained, output_loading_info=True)
    # every weight of the frozen encoder must come from the checkpoint (the pooler, unused
    # for patch tokens, may be absent, e.g. facebook/dino-vits16)
    missing = [k for k in info.get('missing_keys', ()) if not k.startswith('pooler.')]
    mismatched = [str(m) for m in info.get('mismatched_keys', ())]
    require_all_keys_loaded(dict(missing=sorted(missing), mismatched=mismatched), pretrained,
                            f'frozen {cls.__name__} backbone',
                            total=len(model.state_dict()))
    return model, model_type


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
            kwargs = dict(mmpretrain_kwargs or {})
            if isinstance(arch, str) and arch.lower().startswith('dinov2'):
                # mmpretrain's configs/dinov2: DINOv2 blocks carry LayerScale (gamma1/2)
                kwargs.setdefault('layer_scale_init_value', DINOV2_LAYER_SCALE_INIT)
            self.vit = MODELS.build(dict(
                type='mmpretrain.VisionTransformer', arch=arch, patch_size=patch_size,
                img_size=img_size, out_type='raw', with_cls_token=True,
                final_norm=(layer == 'final_norm'), **kwargs))
            if checkpoint is not None:
                self.load_mmpretrain_checkpoint(checkpoint)
            else:
                print_log('FrozenViTBackbone(source="mmpretrain") without `checkpoint`: the '
                          'frozen ViT keeps its RANDOM initial weights', logger='current',
                          level=logging.WARNING)
            self.model_type = 'mmpretrain'
            self.embed_dim = self.vit.embed_dims
            self.patch_size = patch_size
            self.num_prefix = self.vit.num_extra_tokens
        else:
            raise ValueError(f"source must be 'transformers' or 'mmpretrain', got {source!r}")
        for p in self.vit.parameters():
            p.requires_grad_(False)
        self.vit.eval()

    def load_mmpretrain_checkpoint(self, checkpoint: str) -> None:
        """Load a local checkpoint into the mmpretrain ViT; every key must load.

        Accepts the mmpretrain zoo layout (``backbone.`` prefix), bare mmpretrain keys and
        the facebookresearch DINOv2 layout (converted); see :mod:`.vit_checkpoint`. The
        checkpoint's final LayerNorm (``ln1``) is unused when ``layer='last_block'``.
        Raises :class:`mmext.utils.weight_loading.IncompleteWeightsError` otherwise.
        """
        sd = to_mmpretrain_vit_keys(read_state_dict(checkpoint), checkpoint)
        final_norm = self.layer == 'final_norm'
        load_all_keys(self.vit, sd, checkpoint, 'frozen mmpretrain ViT backbone',
                      ignore_unexpected=lambda k: not final_norm and k.startswith('ln1.'))

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
