"""The shared "every encoder key must load" rule in the depth family: the encoder is frozen
in the first stage of the staged fine-tuning, so even ``strict=False`` refuses a checkpoint
that leaves encoder weights random (head keys stay relaxed)."""
import pytest
import torch

from mmext.depth.models import (DepthEstimator, WeightLoadError, depth_anything_cfg_from_hf,
                                load_depth_anything)
from ._tiny_dav2 import tiny_hf_model, to_official_state_dict


def test_non_strict_load_still_requires_every_encoder_key(tmp_path):
    hf = tiny_hf_model('metric', seed=5)
    backbone, head = depth_anything_cfg_from_hf(hf.config)
    model = DepthEstimator(backbone=backbone, decode_head=head).eval()
    sd = to_official_state_dict(hf.state_dict())
    del sd['pretrained.blocks.1.attn.qkv.weight']
    torch.save(sd, tmp_path / 'no_qkv.pth')
    with pytest.raises(WeightLoadError, match=r'encoder.*missing \(3\).*layer\.1\.attention'):
        load_depth_anything(model, str(tmp_path / 'no_qkv.pth'), strict=False)
    sd = to_official_state_dict(hf.state_dict())
    del sd['depth_head.scratch.output_conv1.weight']  # a head key: still allowed non-strict
    torch.save(sd, tmp_path / 'no_head_key.pth')
    report = load_depth_anything(model, str(tmp_path / 'no_head_key.pth'), strict=False)
    assert report['missing'] == ['decode_head.scratch.output_conv1.weight']
