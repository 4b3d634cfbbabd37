"""Depth Anything V2 weights into mmext's ``DepthEstimator``: Hugging Face directories / hub ids
(``depth-anything/Depth-Anything-V2-Metric-Indoor-Large-hf``) and the official ``.pth`` files
(``depth_anything_v2_metric_hypersim_vitl.pth``).

Both formats are converted to mmext keys (``backbone.dinov2.*`` = transformers' Dinov2Backbone,
``decode_head.*`` = the official ``depth_head.*`` names) and loaded strictly: every missing or
unknown key is reported, and an error is raised unless ``strict=False``.
"""
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Tuple

import torch
from mmengine.logging import print_log
from torch import Tensor, nn

from mmext.utils.weight_loading import require_all_keys_loaded

__all__ = ['convert_hf_state_dict', 'convert_official_state_dict', 'load_depth_anything',
           'read_hf_state_dict', 'depth_anything_cfg_from_hf', 'WeightLoadError']


class WeightLoadError(RuntimeError):
    """Raised when a checkpoint does not match the model."""


_LEGACY_DINOV2 = [  # transformers 4.x Dinov2 names -> 5.x
    ('.attention.attention.query.', '.attention.q_proj.'),
    ('.attention.attention.key.', '.attention.k_proj.'),
    ('.attention.attention.value.', '.attention.v_proj.'),
    ('.attention.output.dense.', '.attention.o_proj.'),
]


def convert_hf_state_dict(sd: Dict[str, Tensor]) -> Tuple[Dict[str, Tensor], List[str]]:
    """``DepthAnythingForDepthEstimation`` keys -> mmext keys. Returns (converted, unknown)."""
    out, unknown = {}, []
    for k, v in sd.items():
        nk = None
        if k.startswith('backbone.'):
            nk = 'backbone.dinov2.' + k[len('backbone.'):]
            for old, new in _LEGACY_DINOV2:
                nk = nk.replace(old, new)
        elif m := re.match(r'neck\.reassemble_stage\.layers\.(\d)\.(projection|resize)\.(.+)', k):
            part = 'projects' if m[2] == 'projection' else 'resize_layers'
            nk = f'decode_head.{part}.{m[1]}.{m[3]}'
        elif m := re.match(r'neck\.convs\.(\d)\.(.+)', k):
            nk = f'decode_head.scratch.layer{int(m[1]) + 1}_rn.{m[2]}'
        elif m := re.match(r'neck\.fusion_stage\.layers\.(\d)\.(.+)', k):
            rest = m[2]
            rest = rest.replace('projection.', 'out_conv.')
            rest = re.sub(r'residual_layer(\d)\.convolution(\d)', r'resConfUnit\1.conv\2', rest)
            nk = f'decode_head.scratch.refinenet{4 - int(m[1])}.{rest}'
        elif m := re.match(r'head\.conv([123])\.(.+)', k):
            dst = {'1': 'output_conv1', '2': 'output_conv2.0', '3': 'output_conv2.2'}[m[1]]
            nk = f'decode_head.scratch.{dst}.{m[2]}'
        if nk is None:
            unknown.append(k)
        else:
            out[nk] = v
    return out, unknown


def convert_official_state_dict(sd: Dict[str, Tensor]) -> Tuple[Dict[str, Tensor], List[str]]:
    """Official DAV2 ``.pth`` keys (``pretrained.*``, ``depth_head.*``) -> mmext keys."""
    out, unknown = {}, []
    emb = 'backbone.dinov2.embeddings.'
    simple = {'pretrained.cls_token': emb + 'cls_token',
              'pretrained.mask_token': emb + 'mask_token',
              'pretrained.pos_embed': emb + 'position_embeddings',
              'pretrained.patch_embed.proj.weight': emb + 'patch_embeddings.projection.weight',
              'pretrained.patch_embed.proj.bias': emb + 'patch_embeddings.projection.bias',
              'pretrained.norm.weight': 'backbone.dinov2.layernorm.weight',
              'pretrained.norm.bias': 'backbone.dinov2.layernorm.bias'}
    block = {'norm1': 'norm1', 'norm2': 'norm2', 'attn.proj': 'attention.o_proj',
             'mlp.fc1': 'mlp.fc1', 'mlp.fc2': 'mlp.fc2'}
    for k, v in sd.items():
        if k.startswith('depth_head.'):
            out['decode_head.' + k[len('depth_head.'):]] = v
        elif k in simple:
            out[simple[k]] = v
        elif m := re.match(r'pretrained\.blocks\.(\d+)\.(.+)\.(weight|bias|gamma)$', k):
            pre = f'backbone.dinov2.encoder.layer.{m[1]}.'
            name, kind = m[2], m[3]
            if name == 'attn.qkv':
                for part, t in zip(('q_proj', 'k_proj', 'v_proj'), v.chunk(3, dim=0)):
                    out[f'{pre}attention.{part}.{kind}'] = t.clone()
            elif name in ('ls1', 'ls2') and kind == 'gamma':
                out[f'{pre}layer_scale{name[-1]}.lambda1'] = v
            elif name in block:
                out[f'{pre}{block[name]}.{kind}'] = v
            else:
                unknown.append(k)
        else:
            unknown.append(k)
    return out, unknown


def read_hf_state_dict(path: str) -> Dict[str, Tensor]:
    """Raw tensors of a Hugging Face model directory or hub id (safetensors or .bin)."""
    if not osp.isdir(path):
        try:
            from huggingface_hub import snapshot_download
            path = snapshot_download(path, allow_patterns=['*.json', '*.safetensors', '*.bin'])
        except Exception as e:  # no network, unknown id, ...
            raise WeightLoadError(f'{path!r} is neither a directory nor a downloadable hub id '
                                  f'({type(e).__name__}: {e})') from e
    files = sorted(f for f in os.listdir(path) if f.endswith('.safetensors'))
    sd = {}
    if files:
        from safetensors.torch import load_file
        for f in files:
            sd.update(load_file(osp.join(path, f)))
    elif osp.exists(osp.join(path, 'pytorch_model.bin')):
        sd = torch.load(osp.join(path, 'pytorch_model.bin'), map_location='cpu', weights_only=True)
    else:
        raise WeightLoadError(f'{path}: no *.safetensors or pytorch_model.bin in the directory')
    return sd


def depth_anything_cfg_from_hf(path_or_config,
                               pos_embed_interp: str = 'official') -> Tuple[Dict, Dict]:
    """(backbone, decode_head) configs of mmext equal to a transformers DepthAnythingConfig.

    ``pos_embed_interp``: ``'official'`` (DINOv2/DAV2's own interpolation, default) or ``'hf'``
    (transformers' port; equal outputs to ``DepthAnythingForDepthEstimation`` at every size).
    """
    from transformers import DepthAnythingConfig
    from .dinov2_backbone import DINOv2Backbone
    c = path_or_config
    if isinstance(c, str):
        c = DepthAnythingConfig.from_pretrained(c)
    if list(c.reassemble_factors) != [4, 2, 1, 0.5] or c.head_in_index != -1:
        raise ValueError('only DAV2 reassemble factors (4, 2, 1, 0.5) and head_in_index -1 '
                         f'are supported, got {c.reassemble_factors}, {c.head_in_index}')
    backbone = dict(type='DINOv2Backbone',
                    **DINOv2Backbone.config_from_hf(c.backbone_config, pos_embed_interp))
    head = dict(type='DepthAnythingHead', in_channels=c.reassemble_hidden_size,
                features=c.fusion_hidden_size, out_channels=list(c.neck_hidden_sizes),
                mode=c.depth_estimation_type, max_depth=float(c.max_depth or 1),
                head_hidden=c.head_hidden_size, patch_size=c.patch_size)
    return backbone, head


def _peft_names(sd: Dict[str, Tensor], own: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """``a.q_proj.weight`` -> ``a.q_proj.base_layer.weight`` where the model wraps ``q_proj``
    in a peft LoRA layer."""
    out = {}
    for k, v in sd.items():
        if k not in own and '.' in k:
            head, tail = k.rsplit('.', 1)
            alt = f'{head}.base_layer.{tail}'
            if alt in own:
                k = alt
        out[k] = v
    return out


def load_depth_anything(model: nn.Module, source: str, fmt: Optional[str] = None,
                        strict: bool = True) -> Dict[str, List[str]]:
    """Load DAV2 weights into a ``DepthEstimator``.

    Args:
        model: The mmext model (``backbone`` = DINOv2Backbone, ``decode_head`` = DepthAnythingHead).
        source: HF directory / hub id, or official ``.pth`` file.
        fmt: ``'hf'`` or ``'official'``; guessed from ``source`` when None.
        strict: Raise :class:`WeightLoadError` on any missing, unknown or mis-shaped key.

    Returns:
        ``{'missing': [...], 'unexpected': [...], 'shape_mismatch': [...]}`` (mmext key names;
        unexpected keys in the checkpoint's own naming).
    """
    if fmt is None:
        fmt = 'official' if osp.isfile(source) and source.endswith(('.pth', '.pt')) else 'hf'
    if fmt == 'official':
        sd = torch.load(source, map_location='cpu', weights_only=True)
        if isinstance(sd, dict) and 'model' in sd and isinstance(sd['model'], dict):
            sd = sd['model']            # training checkpoints of metric_depth/train.py
        sd = {k[len('module.'):] if k.startswith('module.') else k: v for k, v in sd.items()}
        converted, unknown = convert_official_state_dict(sd)
    elif fmt == 'hf':
        converted, unknown = convert_hf_state_dict(read_hf_state_dict(source))
    else:
        raise ValueError(f"fmt must be 'hf' or 'official', got {fmt!r}")
    own = model.state_dict()
    converted = _peft_names(converted, own)
    mismatch = [k for k, v in converted.items() if k in own and own[k].shape != v.shape]
    unknown += [k for k in converted if k not in own]
    # LoRA adapters (peft) are new parameters that no DAV2 checkpoint has.
    missing = [k for k in own if k not in converted and not k.startswith('data_preprocessor.')
               and '.lora_' not in k]
    report = {'missing': missing, 'unexpected': unknown, 'shape_mismatch': mismatch}
    # shared rule (mmext.utils.weight_loading): even with strict=False the encoder, frozen
    # in the first stage of the staged fine-tuning, must load every key
    encoder = {k: [x for x in v if x.startswith('backbone.')]
               for k, v in report.items() if k != 'unexpected'}
    require_all_keys_loaded(report if strict else encoder, source,
                            'Depth Anything model' if strict else 'Depth Anything encoder',
                            error_cls=WeightLoadError, total=len(own))
    for k, v in report.items():
        if v:
            print_log(f'load_depth_anything {source}: {len(v)} {k} keys: {v[:10]}',
                      logger='current', level=30)
    ok = {k: v for k, v in converted.items() if k in own and k not in mismatch}
    model.load_state_dict(ok, strict=False)
    return report
