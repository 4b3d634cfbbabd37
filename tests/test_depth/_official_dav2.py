"""A restatement of the official Depth Anything V2 encoder path (``metric_depth/depth_anything_v2/
dinov2.py``: ``DinoVisionTransformer`` with ``interpolate_offset=0.1``, no antialias, layer
scale, LayerNorm eps 1e-6, ``get_intermediate_layers(..., return_class_token=True)``) with the
official parameter names (``pretrained.blocks.i.attn.qkv``, ``ls1.gamma``, ...), written for the
tests. The DPT head is mmext's ``DepthAnythingHead`` (its names are the official
``depth_head.*``), fed the official tokens.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

from mmext.depth.models import DepthAnythingHead

ARCHS = {'vits': (384, 12, 6, 64, [48, 96, 192, 384], [2, 5, 8, 11]),
         'vitb': (768, 12, 12, 128, [96, 192, 384, 768], [2, 5, 8, 11]),
         'vitl': (1024, 24, 16, 256, [256, 512, 1024, 1024], [4, 11, 17, 23])}


class _Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * (C // self.heads) ** -0.5, qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(B, N, C))


class _Mlp(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class _LayerScale(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * self.gamma


class _Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = _Attention(dim, heads)
        self.ls1 = _LayerScale(dim)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = _Mlp(dim)
        self.ls2 = _LayerScale(dim)

    def forward(self, x):
        x = x + self.ls1(self.attn(self.norm1(x)))
        return x + self.ls2(self.mlp(self.norm2(x)))


class _PatchEmbed(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, 14, stride=14)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class OfficialViT(nn.Module):
    """DINOv2 ViT for DAV2 (img_size 518, patch 14, no registers)."""

    def __init__(self, dim, depth, heads, img_size=518):
        super().__init__()
        self.patch_size = 14
        n = (img_size // 14) ** 2
        self.patch_embed = _PatchEmbed(dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, dim))
        self.mask_token = nn.Parameter(torch.zeros(1, dim))
        self.blocks = nn.ModuleList([_Block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def interpolate_pos_encoding(self, x, w, h):
        # Official naming: (w, h) are the image's dims 2 and 3, i.e. (H, W).
        npatch, N = x.shape[1] - 1, self.pos_embed.shape[1] - 1
        if npatch == N and w == h:
            return self.pos_embed
        pos = self.pos_embed.float()
        cls_pos, patch_pos = pos[:, 0], pos[:, 1:]
        dim = x.shape[-1]
        w0, h0 = w // self.patch_size + 0.1, h // self.patch_size + 0.1
        sqrt_n = math.sqrt(N)
        patch_pos = F.interpolate(
            patch_pos.reshape(1, int(sqrt_n), int(sqrt_n), dim).permute(0, 3, 1, 2),
            scale_factor=(float(w0) / sqrt_n, float(h0) / sqrt_n), mode='bicubic',
            antialias=False)
        assert int(w0) == patch_pos.shape[-2] and int(h0) == patch_pos.shape[-1]
        patch_pos = patch_pos.permute(0, 2, 3, 1).view(1, -1, dim)
        return torch.cat((cls_pos.unsqueeze(0), patch_pos), dim=1).to(x.dtype)

    def get_intermediate_layers(self, x, idx):
        B, nc, w, h = x.shape
        x = self.patch_embed(x)
        x = torch.cat((self.cls_token.expand(x.shape[0], -1, -1), x), dim=1)
        x = x + self.interpolate_pos_encoding(x, w, h)
        outs = []
        for i, blk in enumerate(self.blocks):
            x = blk(x)
            if i in idx:
                outs.append(x)
        outs = [self.norm(o) for o in outs]
        return [(o[:, 1:], o[:, 0]) for o in outs]


class OfficialDAV2(nn.Module):
    """``DepthAnythingV2(encoder, features, out_channels, max_depth)`` of metric_depth."""

    def __init__(self, encoder='vits', max_depth=20.0):
        super().__init__()
        dim, depth, heads, features, out_channels, self.idx = ARCHS[encoder]
        self.pretrained = OfficialViT(dim, depth, heads)
        self.depth_head = DepthAnythingHead(dim, features, out_channels, mode='metric',
                                            max_depth=1.0)
        self.max_depth = max_depth

    def forward(self, x):
        ph, pw = x.shape[-2] // 14, x.shape[-1] // 14
        feats = self.pretrained.get_intermediate_layers(x, self.idx)
        tokens = [torch.cat([c[:, None], p], 1) for p, c in feats]
        return (self.depth_head(tokens, ph, pw) * self.max_depth).squeeze(1)


def random_official(encoder='vits', seed=0, max_depth=20.0):
    """An official-layout DAV2 with every tensor perturbed (layer scales off 1, biases off 0)."""
    torch.manual_seed(seed)
    m = OfficialDAV2(encoder, max_depth).eval()
    with torch.no_grad():
        for name, p in m.named_parameters():
            # Head weights perturbed mildly: at 0.1 the 64-256-wide DPT head saturates the
            # sigmoid and amplifies float32 rounding to centimetres (chaotic, not a mismatch).
            scale = 0.02 if name.startswith('pretrained') else 0.03
            if name.endswith('gamma'):
                p.copy_(0.5 + torch.rand_like(p))
            elif name.endswith('pos_embed'):
                p.copy_(torch.randn_like(p))    # strong, so a wrong resize cannot hide
            else:
                p.add_(torch.randn_like(p) * scale)
    return m
