"""mmext's Depth Anything V2 vs transformers' DepthAnythingForDepthEstimation (same weights)."""
import pytest
import torch

from mmext.depth.models import (DepthEstimator, WeightLoadError, convert_hf_state_dict,
                                depth_anything_cfg_from_hf, load_depth_anything)
from ._tiny_dav2 import tiny_hf_model, to_official_state_dict

SIZES = [(56, 56), (42, 70)]          # square and non-square (multiples of 14)


def _mmext_like(hf):
    # transformers' port resizes the position embedding its own way; compare like with like
    # (the official interpolation is checked in test_official_dav2_parity.py).
    backbone, head = depth_anything_cfg_from_hf(hf.config, pos_embed_interp='hf')
    return DepthEstimator(backbone=backbone, decode_head=head).eval()


def _max_diff(hf, model, size, seed=1):
    x = torch.randn(2, 3, *size, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        ref = hf(pixel_values=x).predicted_depth
        out = model(x, mode='tensor')
    assert out.shape == (2, 1, *size) and ref.shape == (2, *size)
    return (out[:, 0] - ref).abs().max().item(), ref


@pytest.mark.parametrize('mode', ['metric', 'relative'])
def test_parity_in_memory(mode):
    hf = tiny_hf_model(mode, max_depth=20 if mode == 'metric' else 1)
    model = _mmext_like(hf)
    sd, unknown = convert_hf_state_dict(hf.state_dict())
    assert not unknown
    missing, unexpected = model.load_state_dict(sd, strict=False)
    assert not unexpected and all(k.startswith('data_preprocessor') for k in missing)
    for size in SIZES:
        diff, ref = _max_diff(hf, model, size)
        assert diff < 1e-4, (size, diff)
        assert ref.std() > 1e-2               # not a constant output


def test_parity_after_loading_hf_directory(tmp_path):
    hf = tiny_hf_model('metric', seed=3)
    hf.save_pretrained(tmp_path / 'hf')
    backbone, head = depth_anything_cfg_from_hf(str(tmp_path / 'hf'), pos_embed_interp='hf')
    model = DepthEstimator(backbone=backbone, decode_head=head).eval()
    before, _ = _max_diff(hf, model, SIZES[1])
    report = load_depth_anything(model, str(tmp_path / 'hf'))
    assert report == {'missing': [], 'unexpected': [], 'shape_mismatch': []}
    for size in SIZES:
        diff, _ = _max_diff(hf, model, size)
        assert diff < 1e-4
    assert before > 1e-2                      # the load changed the output


def test_parity_after_loading_official_pth(tmp_path):
    hf = tiny_hf_model('metric', seed=4)
    path = tmp_path / 'depth_anything_v2_metric_hypersim_vits.pth'
    torch.save(to_official_state_dict(hf.state_dict()), path)
    model = _mmext_like(hf)
    load_depth_anything(model, str(path))
    for size in SIZES:
        diff, _ = _max_diff(hf, model, size)
        assert diff < 1e-4


def test_unknown_and_missing_keys_are_reported(tmp_path):
    hf = tiny_hf_model('metric', seed=5)
    sd = to_official_state_dict(hf.state_dict())
    sd['pretrained.blocks.0.attn.extra.weight'] = torch.zeros(1)
    sd['aux_head.weight'] = torch.zeros(1)
    del sd['depth_head.scratch.output_conv1.weight']
    path = tmp_path / 'bad.pth'
    torch.save(sd, path)
    model = _mmext_like(hf)
    with pytest.raises(WeightLoadError) as e:
        load_depth_anything(model, str(path))
    msg = str(e.value)
    assert 'aux_head.weight' in msg and 'pretrained.blocks.0.attn.extra.weight' in msg
    assert 'decode_head.scratch.output_conv1.weight' in msg
    report = load_depth_anything(model, str(path), strict=False)
    assert report['missing'] == ['decode_head.scratch.output_conv1.weight']
    assert sorted(report['unexpected']) == ['aux_head.weight',
                                            'pretrained.blocks.0.attn.extra.weight']
    # A shape mismatch (other width) is reported as well.
    other = _mmext_like(tiny_hf_model('metric', seed=5))
    other.decode_head.scratch.output_conv1 = torch.nn.Conv2d(16, 4, 3, padding=1)
    with pytest.raises(WeightLoadError, match='shape_mismatch'):
        load_depth_anything(other, str(tmp_path / 'bad.pth'))


def test_missing_directory_gives_clear_error(tmp_path):
    model = _mmext_like(tiny_hf_model())
    (tmp_path / 'empty').mkdir()
    with pytest.raises(WeightLoadError, match='no \\*.safetensors'):
        load_depth_anything(model, str(tmp_path / 'empty'))
