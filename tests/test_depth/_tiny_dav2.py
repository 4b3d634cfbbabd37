"""Tiny random Depth Anything models (transformers) and official-format state dicts for tests."""
import torch


def tiny_hf_model(mode='metric', seed=0, max_depth=20):
    from transformers import DepthAnythingConfig, DepthAnythingForDepthEstimation, Dinov2Config
    torch.manual_seed(seed)
    bc = Dinov2Config(hidden_size=32, num_hidden_layers=4, num_attention_heads=2, mlp_ratio=2,
                      image_size=56, patch_size=14, out_indices=[1, 2, 3, 4],
                      reshape_hidden_states=False)
    cfg = DepthAnythingConfig(backbone_config=bc, reassemble_hidden_size=32,
                              neck_hidden_sizes=[8, 16, 32, 32], fusion_hidden_size=16,
                              head_hidden_size=8, depth_estimation_type=mode,
                              max_depth=max_depth)
    model = DepthAnythingForDepthEstimation(cfg).eval()
    # Random init leaves layer scales at 1 and some biases at 0: perturb every tensor so a
    # wrong key mapping cannot go unnoticed.
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.add_(torch.randn_like(p) * (0.02 if name.startswith('backbone') else 0.1))
    return model


def to_official_state_dict(hf_sd):
    """Write a transformers DepthAnything state dict with the official DAV2 key names
    (depth_anything_v2/dpt.py + dinov2.py): pretrained.blocks.i.attn.qkv, ls1.gamma, ...,
    depth_head.scratch.refinenet4 for the deepest fusion layer."""
    out = {}
    layers = {}
    for k, v in hf_sd.items():
        if k.startswith('backbone.encoder.layer.'):
            i, rest = k[len('backbone.encoder.layer.'):].split('.', 1)
            layers.setdefault(int(i), {})[rest] = v
    for i, d in layers.items():
        b = f'pretrained.blocks.{i}.'
        for kind in ('weight', 'bias'):
            out[b + f'attn.qkv.{kind}'] = torch.cat([d[f'attention.{p}_proj.{kind}']
                                                     for p in 'qkv'])
            out[b + f'attn.proj.{kind}'] = d[f'attention.o_proj.{kind}']
            for n in ('norm1', 'norm2', 'mlp.fc1', 'mlp.fc2'):
                out[b + f'{n}.{kind}'] = d[f'{n}.{kind}']
        out[b + 'ls1.gamma'] = d['layer_scale1.lambda1']
        out[b + 'ls2.gamma'] = d['layer_scale2.lambda1']
    e = 'backbone.embeddings.'
    out['pretrained.cls_token'] = hf_sd[e + 'cls_token']
    out['pretrained.mask_token'] = hf_sd[e + 'mask_token']
    out['pretrained.pos_embed'] = hf_sd[e + 'position_embeddings']
    out['pretrained.patch_embed.proj.weight'] = hf_sd[e + 'patch_embeddings.projection.weight']
    out['pretrained.patch_embed.proj.bias'] = hf_sd[e + 'patch_embeddings.projection.bias']
    out['pretrained.norm.weight'] = hf_sd['backbone.layernorm.weight']
    out['pretrained.norm.bias'] = hf_sd['backbone.layernorm.bias']
    h = 'depth_head.'
    for i in range(4):
        for kind in ('weight', 'bias'):
            out[h + f'projects.{i}.{kind}'] = \
                hf_sd[f'neck.reassemble_stage.layers.{i}.projection.{kind}']
            if i != 2:
                out[h + f'resize_layers.{i}.{kind}'] = \
                    hf_sd[f'neck.reassemble_stage.layers.{i}.resize.{kind}']
        out[h + f'scratch.layer{i + 1}_rn.weight'] = hf_sd[f'neck.convs.{i}.weight']
        f = f'neck.fusion_stage.layers.{i}.'
        r = h + f'scratch.refinenet{4 - i}.'
        for kind in ('weight', 'bias'):
            out[r + f'out_conv.{kind}'] = hf_sd[f + f'projection.{kind}']
            for u in (1, 2):
                for c in (1, 2):
                    out[r + f'resConfUnit{u}.conv{c}.{kind}'] = \
                        hf_sd[f + f'residual_layer{u}.convolution{c}.{kind}']
    for kind in ('weight', 'bias'):
        out[h + f'scratch.output_conv1.{kind}'] = hf_sd[f'head.conv1.{kind}']
        out[h + f'scratch.output_conv2.0.{kind}'] = hf_sd[f'head.conv2.{kind}']
        out[h + f'scratch.output_conv2.2.{kind}'] = hf_sd[f'head.conv3.{kind}']
    return out
