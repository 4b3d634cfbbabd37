"""mmpretrain DINOv2 loading: the three checkpoint layouts give the Hugging Face tokens.

A random-weight transformers ``Dinov2Model`` (dinov2-small's config, no download) is
converted by hand to the facebookresearch layout, then to mmpretrain keys, and saved as
(1) an mmpretrain zoo file (``state_dict`` with the ``backbone.`` prefix), (2) bare
mmpretrain keys and (3) the official layout. The config's mmpretrain backbone, loaded from
each, must return the HF model's patch tokens; incomplete checkpoints must raise.
"""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmext.registry import MODELS
from mmext.slots.models.vit_checkpoint import (detect_layout, official_dinov2_to_mmpretrain,
                                               read_state_dict, to_mmpretrain_vit_keys)
from mmext.utils.weight_loading import (IncompleteWeightsError, key_report, load_all_keys,
                                        require_all_keys_loaded)

pytest.importorskip('mmpretrain')
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'slots', 'dinosaur_dinov2-vits14_movi-c_224_mmpretrain.py')
SMALL = dict(hidden_size=384, num_hidden_layers=12, num_attention_heads=6, mlp_ratio=4,
             image_size=518, patch_size=14)          # facebook/dinov2-small's config
TINY = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, mlp_ratio=4,
            image_size=56, patch_size=14)
TINY_ARCH = dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=128)


def hf_backbone(cfg, seed=0):
    """A frozen HF DINOv2 backbone with every tensor perturbed (layer scales are 1 and
    biases 0 after random init; a wrong mapping of them must not go unnoticed)."""
    torch.manual_seed(seed)
    bb = MODELS.build(dict(type='FrozenViTBackbone', hf_config=dict(model_type='dinov2',
                                                                    **cfg)))
    with torch.no_grad():
        for p in bb.vit.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    return bb


def hf_to_official(sd):
    """Hand-made transformers Dinov2Model -> facebookresearch/dinov2 key conversion
    (transformers 4.x ``attention.attention.query`` and 5.x ``attention.q_proj`` names)."""
    out, layers = {}, {}
    for k, v in sd.items():
        if k.startswith('encoder.layer.'):
            i, rest = k[len('encoder.layer.'):].split('.', 1)
            for old, new in (('attention.attention.query.', 'attention.q_proj.'),
                             ('attention.attention.key.', 'attention.k_proj.'),
                             ('attention.attention.value.', 'attention.v_proj.'),
                             ('attention.output.dense.', 'attention.o_proj.')):
                rest = rest.replace(old, new)
            layers.setdefault(int(i), {})[rest] = v
    for i, d in layers.items():
        b = f'blocks.{i}.'
        for kind in ('weight', 'bias'):
            out[b + f'attn.qkv.{kind}'] = torch.cat([d[f'attention.{p}_proj.{kind}']
                                                     for p in 'qkv'])
            out[b + f'attn.proj.{kind}'] = d[f'attention.o_proj.{kind}']
            for n in ('norm1', 'norm2', 'mlp.fc1', 'mlp.fc2'):
                out[b + f'{n}.{kind}'] = d[f'{n}.{kind}']
        out[b + 'ls1.gamma'] = d['layer_scale1.lambda1']
        out[b + 'ls2.gamma'] = d['layer_scale2.lambda1']
    out['cls_token'] = sd['embeddings.cls_token']
    out['mask_token'] = sd['embeddings.mask_token']
    out['pos_embed'] = sd['embeddings.position_embeddings']
    out['patch_embed.proj.weight'] = sd['embeddings.patch_embeddings.projection.weight']
    out['patch_embed.proj.bias'] = sd['embeddings.patch_embeddings.projection.bias']
    out['norm.weight'] = sd['layernorm.weight']
    out['norm.bias'] = sd['layernorm.bias']
    return out


def write_layouts(hf, tmp_path):
    official = hf_to_official(hf.vit.state_dict())
    bare = official_dinov2_to_mmpretrain(official)
    files = {'mmpretrain_zoo': dict(meta=dict(mmpretrain_version='1.2.0'),
                                    state_dict={'backbone.' + k: v for k, v in bare.items()}),
             'mmpretrain': bare, 'official': official}
    paths = {}
    for name, obj in files.items():
        paths[name] = str(tmp_path / f'{name}.pth')
        torch.save(obj, paths[name])
    return paths


def mmpretrain_backbone(checkpoint, arch=None, img_size=224, **kwargs):
    cfg = Config.fromfile(CONFIG).model.backbone.to_dict()
    cfg.update(checkpoint=checkpoint, img_size=img_size, **kwargs)
    if arch is not None:
        cfg['arch'] = arch
    return MODELS.build(cfg)


def _rel_err(a, b):
    return ((a - b).norm() / b.norm()).item()


@pytest.mark.parametrize('layer', ['last_block', 'final_norm'])
def test_three_layouts_give_hf_tokens_tiny(tmp_path, layer):
    hf = hf_backbone(TINY)
    hf.layer = layer
    paths = write_layouts(hf, tmp_path)
    x = torch.randn(2, 3, 42, 56, generator=torch.Generator().manual_seed(1))
    ref = hf(x)
    for layout, path in paths.items():
        assert detect_layout(read_state_dict(path)) == layout
        bb = mmpretrain_backbone(path, arch=TINY_ARCH, img_size=56, layer=layer,
                                 mmpretrain_kwargs=dict(layer_scale_init_value=1e-5))
        assert _rel_err(bb(x), ref) < 1e-5, layout


@pytest.mark.slow
def test_three_layouts_give_hf_tokens_dinov2_small(tmp_path):
    """Real size: the config's dinov2-small arch, a 518 px checkpoint, 224 px inputs."""
    hf = hf_backbone(SMALL)
    paths = write_layouts(hf, tmp_path)
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    ref = hf(x)
    for layout, path in paths.items():
        bb = mmpretrain_backbone(path)
        assert bb.vit.layers[0].attn.gamma1.weight.shape == (384, )
        assert _rel_err(bb(x), ref) < 1e-4, layout


def test_dinov2_arch_gets_layer_scale_and_missing_keys_raise(tmp_path):
    hf = hf_backbone(TINY)
    paths = write_layouts(hf, tmp_path)
    # without LayerScale (the old build) the 2x2 gammas have nowhere to go: an error
    with pytest.raises(IncompleteWeightsError, match=r'unexpected \(4\).*gamma'):
        mmpretrain_backbone(paths['mmpretrain'], arch=TINY_ARCH, img_size=56,
                            mmpretrain_kwargs=dict(layer_scale_init_value=0.))
    # a checkpoint lacking a key of the frozen backbone: an error naming it
    sd = torch.load(paths['mmpretrain'])
    del sd['layers.1.ffn.layers.1.weight']
    torch.save(sd, tmp_path / 'partial.pth')
    with pytest.raises(IncompleteWeightsError, match=r'layers\.1\.ffn\.layers\.1\.weight'):
        mmpretrain_backbone(str(tmp_path / 'partial.pth'), arch=TINY_ARCH, img_size=56,
                            mmpretrain_kwargs=dict(layer_scale_init_value=1e-5))
    # the dinov2 arch names get mmpretrain's layer scale by default
    bb = MODELS.build(dict(type='FrozenViTBackbone', source='mmpretrain', arch='dinov2-small',
                           patch_size=14, img_size=28))
    assert hasattr(bb.vit.layers[0].attn, 'gamma1')


def test_layouts_refused_clearly(tmp_path):
    hf = hf_backbone(TINY)
    with pytest.raises(IncompleteWeightsError, match="source='transformers'"):
        to_mmpretrain_vit_keys(hf.vit.state_dict(), 'hf.pth')
    with pytest.raises(IncompleteWeightsError, match='unknown ViT checkpoint layout'):
        to_mmpretrain_vit_keys({'foo.weight': torch.zeros(1)}, 'x.pth')
    official = hf_to_official(hf.vit.state_dict())
    with pytest.raises(IncompleteWeightsError, match='register tokens'):
        official_dinov2_to_mmpretrain(dict(official, register_tokens=torch.zeros(1, 4, 32)))
    swiglu = dict(official)
    swiglu['blocks.0.mlp.w12.weight'] = swiglu.pop('blocks.0.mlp.fc1.weight')
    with pytest.raises(IncompleteWeightsError, match='SwiGLU'):
        official_dinov2_to_mmpretrain(swiglu)
    with pytest.raises(IncompleteWeightsError, match='no mmpretrain counterpart'):
        official_dinov2_to_mmpretrain(dict(official, **{'blocks.0.attn.extra': torch.ones(1)}))


def test_weight_loading_helper():
    lin = torch.nn.Linear(2, 2)
    rep = key_report(lin.state_dict(), {'weight': 0, 'extra': 0})
    assert rep == dict(missing=['bias'], unexpected=['extra'])
    with pytest.raises(IncompleteWeightsError, match=r'ckpt: .*\(1 of 2 keys loaded\)'):
        require_all_keys_loaded(rep, 'ckpt', 'encoder', total=2)
    require_all_keys_loaded(dict(missing=[], unexpected=[]), 'ckpt', 'encoder')
    with pytest.raises(RuntimeError):  # families keep their own exception classes
        require_all_keys_loaded(rep, 'ckpt', 'encoder', error_cls=RuntimeError)
    with pytest.raises(IncompleteWeightsError, match='cannot load'):
        load_all_keys(lin, {'weight': torch.zeros(3, 3), 'bias': torch.zeros(2)}, 'c', 'lin')
    new = {'weight': torch.ones(2, 2), 'bias': torch.ones(2), 'head.x': torch.ones(1)}
    load_all_keys(lin, new, 'c', 'lin', ignore_unexpected=lambda k: k.startswith('head.'))
    assert torch.equal(lin.weight, torch.ones(2, 2))
