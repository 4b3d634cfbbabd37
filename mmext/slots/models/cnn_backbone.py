"""ResNet feature tokens for DINOSAUR-style models (log 004's ``ex_dino1``: ResNet-18
features + Slot Attention, the step before DINOv2 features).

:class:`ResNetTokenBackbone` runs an mmpretrain ``ResNet`` (``depth=18`` by default) up to
one stage and returns its feature map as tokens (B, h*w, C). With ``checkpoint`` (e.g.
``'torchvision://resnet18'`` or a local file) the ImageNet weights are loaded and every
backbone key must load (``fc.*`` is ignored); ``frozen=True`` (default) keeps it in eval
mode without gradients, like the ViT backbones.
"""
import logging
from typing import Optional, Tuple

import torch
import torch.nn as nn
from mmengine.logging import print_log

from mmext.registry import MODELS
from mmext.utils.weight_loading import load_all_keys
from .vit_checkpoint import read_state_dict

_STAGE_CHANNELS = {18: (64, 128, 256, 512), 34: (64, 128, 256, 512),
                   50: (256, 512, 1024, 2048)}


@MODELS.register_module()
class ResNetTokenBackbone(nn.Module):
    """ResNet feature map of one stage as tokens.

    Config keys:
        depth: ResNet depth (18, 34, 50).
        out_stage: Stage index 0-3 whose output is returned (stride 4 * 2**out_stage;
            default 2: stride 16, 14 x 14 tokens at 224 px, 256-d for ResNet-18).
        checkpoint: ImageNet weights (``'torchvision://resnet18'``, a local path), or None
            for a random network (a warning is logged when frozen).
        frozen: No gradients and eval mode (BatchNorm statistics fixed).
    """

    def __init__(self, depth: int = 18, out_stage: int = 2, checkpoint: Optional[str] = None,
                 frozen: bool = True) -> None:
        super().__init__()
        if depth not in _STAGE_CHANNELS:
            raise ValueError(f'depth must be one of {sorted(_STAGE_CHANNELS)}, got {depth}')
        if not 0 <= out_stage <= 3:
            raise ValueError(f'out_stage must be 0..3, got {out_stage}')
        n = out_stage + 1
        self.resnet = MODELS.build(dict(type='mmpretrain.ResNet', depth=depth, num_stages=n,
                                        strides=(1, 2, 2, 2)[:n], dilations=(1, 1, 1, 1)[:n],
                                        out_indices=(out_stage, )))
        self.embed_dim = _STAGE_CHANNELS[depth][out_stage]
        self.patch_size = 4 * 2 ** out_stage  # the stride, named as the ViTs' patch size
        self.frozen = frozen
        if checkpoint is not None:
            sd = read_state_dict(checkpoint)
            sd = {k[len('backbone.'):] if k.startswith('backbone.') else k: v
                  for k, v in sd.items()}
            deeper = tuple(f'layer{i}.' for i in range(out_stage + 2, 5))
            load_all_keys(self.resnet, sd, checkpoint, f'ResNet-{depth} backbone',
                          ignore_missing=lambda k: k.endswith('num_batches_tracked'),
                          ignore_unexpected=lambda k: k.startswith(('fc.', 'head.') + deeper))
        elif frozen:
            print_log('ResNetTokenBackbone(frozen=True) without `checkpoint`: the frozen '
                      'ResNet keeps its RANDOM initial weights', logger='current',
                      level=logging.WARNING)
        if frozen:
            for p in self.resnet.parameters():
                p.requires_grad_(False)
            self.resnet.eval()

    def init_weights(self) -> None:
        """Keep the loaded weights (never re-initialised by the runner)."""

    def train(self, mode: bool = True) -> 'ResNetTokenBackbone':
        """A frozen ResNet stays in eval mode."""
        super().train(mode)
        if self.frozen:
            self.resnet.eval()
        return self

    def grid_size(self, height: int, width: int) -> Tuple[int, int]:
        """Token grid (h, w) of an input of ``height`` x ``width`` pixels."""
        return -(-height // self.patch_size), -(-width // self.patch_size)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Tokens (B, h*w, C) of normalised images (B, 3, H, W)."""
        with torch.set_grad_enabled(not self.frozen and torch.is_grad_enabled()):
            fmap = self.resnet(images)[-1]
        return fmap.flatten(2).transpose(1, 2)
