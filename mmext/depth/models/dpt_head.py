"""DPT neck + head of Depth Anything V2 (``DepthAnythingHead``), with the official module names
(``depth_head.*`` of ``depth_anything_v2/dpt.py``) so native ``.pth`` weights load as they are."""
from typing import List, Optional, Sequence

import torch.nn.functional as F
from torch import Tensor, nn

from mmext.registry import MODELS
from mmext.utils.amp import float32


class ResidualConvUnit(nn.Module):
    """Pre-activation residual unit: ``x + conv2(relu(conv1(relu(x))))``."""

    def __init__(self, features: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(features, features, 3, padding=1, bias=True)
        self.conv2 = nn.Conv2d(features, features, 3, padding=1, bias=True)
        self.activation = nn.ReLU(False)

    def forward(self, x: Tensor) -> Tensor:
        return self.conv2(self.activation(self.conv1(self.activation(x)))) + x


class FeatureFusionBlock(nn.Module):
    """``out_conv(resize(rcu2(x + rcu1(skip))))`` with bilinear, align_corners=True resizing."""

    def __init__(self, features: int) -> None:
        super().__init__()
        self.resConfUnit1 = ResidualConvUnit(features)
        self.resConfUnit2 = ResidualConvUnit(features)
        self.out_conv = nn.Conv2d(features, features, 1, bias=True)

    def forward(self, x: Tensor, skip: Optional[Tensor] = None,
                size: Optional[Sequence[int]] = None) -> Tensor:
        if skip is not None:
            if skip.shape != x.shape:
                skip = F.interpolate(skip, size=x.shape[2:], mode='bilinear', align_corners=False)
            x = x + self.resConfUnit1(skip)
        x = self.resConfUnit2(x)
        if size is None:
            x = F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=True)
        else:
            x = F.interpolate(x, size=tuple(size), mode='bilinear', align_corners=True)
        return self.out_conv(x)


@MODELS.register_module()
class DepthAnythingHead(nn.Module):
    """DPT decoder of Depth Anything V2.

    Reassembles four ViT token maps into a 4x/2x/1x/0.5x pyramid, fuses it coarse to fine and
    predicts depth at the input resolution: ``Sigmoid * max_depth`` in metric mode (DAV2
    metric_depth), ``ReLU`` in relative mode.

    Args:
        in_channels: ViT width.
        features: Fusion width (vits 64, vitb 128, vitl 256).
        out_channels: Reassemble widths (vitl [256, 512, 1024, 1024]).
        mode: ``'metric'`` or ``'relative'``.
        max_depth: Depth of a saturated sigmoid (20 indoor, 80 outdoor).
        head_hidden: Width of the last 3x3 conv (32).
        patch_size: ViT patch size.
    """

    def __init__(self, in_channels: int = 1024, features: int = 256,
                 out_channels: Sequence[int] = (256, 512, 1024, 1024), mode: str = 'metric',
                 max_depth: float = 20.0, head_hidden: int = 32, patch_size: int = 14) -> None:
        super().__init__()
        if mode not in ('metric', 'relative'):
            raise ValueError(f"DepthAnythingHead mode must be 'metric' or 'relative', got {mode!r}")
        if len(out_channels) != 4:
            raise ValueError(f'out_channels needs 4 widths, got {list(out_channels)}')
        self.mode, self.max_depth, self.patch_size = mode, float(max_depth), patch_size
        self.projects = nn.ModuleList([nn.Conv2d(in_channels, c, 1) for c in out_channels])
        self.resize_layers = nn.ModuleList([
            nn.ConvTranspose2d(out_channels[0], out_channels[0], 4, stride=4),
            nn.ConvTranspose2d(out_channels[1], out_channels[1], 2, stride=2),
            nn.Identity(),
            nn.Conv2d(out_channels[3], out_channels[3], 3, stride=2, padding=1),
        ])
        self.scratch = nn.Module()
        for i, c in enumerate(out_channels, 1):
            setattr(self.scratch, f'layer{i}_rn', nn.Conv2d(c, features, 3, padding=1, bias=False))
            setattr(self.scratch, f'refinenet{i}', FeatureFusionBlock(features))
        self.scratch.output_conv1 = nn.Conv2d(features, features // 2, 3, padding=1)
        last = nn.Sigmoid() if mode == 'metric' else nn.ReLU(True)
        self.scratch.output_conv2 = nn.Sequential(
            nn.Conv2d(features // 2, head_hidden, 3, padding=1), nn.ReLU(True),
            nn.Conv2d(head_hidden, 1, 1), last)

    def forward(self, tokens: List[Tensor], patch_h: int, patch_w: int) -> Tensor:
        """Token maps ``(B, 1 + N, C)`` (class token first) -> depth ``(B, 1, 14 ph, 14 pw)``."""
        if len(tokens) != 4:
            raise ValueError(f'DepthAnythingHead needs 4 token maps, got {len(tokens)}')
        feats = []
        for i, x in enumerate(tokens):
            x = x[:, 1:]                                    # drop the class token
            x = x.permute(0, 2, 1).reshape(x.shape[0], x.shape[-1], patch_h, patch_w)
            feats.append(self.resize_layers[i](self.projects[i](x)))
        s = self.scratch
        l1, l2, l3, l4 = (getattr(s, f'layer{i}_rn')(f) for i, f in enumerate(feats, 1))
        p4 = s.refinenet4(l4, size=l3.shape[2:])
        p3 = s.refinenet3(p4, l3, size=l2.shape[2:])
        p2 = s.refinenet2(p3, l2, size=l1.shape[2:])
        p1 = s.refinenet1(p2, l1)
        out = s.output_conv1(p1)
        out = F.interpolate(out, (patch_h * self.patch_size, patch_w * self.patch_size),
                            mode='bilinear', align_corners=True)
        out = float32(s.output_conv2)(out)  # depth in float32 under AMP
        # transformers scales both modes by max_depth (1 for relative models).
        return out * self.max_depth
