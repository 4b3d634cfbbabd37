"""Depth/pose networks of the self-supervised family: shapes, outputs, weight loading."""
import math

import pytest
import torch
import torchvision

from mmext.registry import MODELS
from mmext.selfsup.models import DepthOutput, WeightSchedule

R18 = dict(type='ResNet', depth=18, in_channels=3, init_cfg=None)


def _encoder(in_channels=3, **kw):
    return MODELS.build(dict(type='ResNetPyramidEncoder',
                             backbone=dict(R18, in_channels=in_channels), **kw))


def test_encoder_pyramid_matches_monodepth2_layout():
    enc = _encoder()
    feats = enc(torch.rand(2, 3, 64, 96))
    assert enc.num_ch_enc == [64, 64, 128, 256, 512]
    assert [tuple(f.shape[-2:]) for f in feats] == [(32, 48), (16, 24), (8, 12), (4, 6), (2, 3)]


def test_encoder_normalises_like_imagenet():
    """The stem sees (x - mean) / std: an input equal to the mean gives the bias-only stem."""
    enc = _encoder().eval()
    x = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1).expand(1, 3, 32, 32)
    b = enc.backbone
    stem = b.relu(b.norm1(b.conv1(torch.zeros(1, 3, 32, 32))))
    assert torch.allclose(enc(x)[0], stem, atol=1e-6)


def test_pretrained_torchvision_checkpoint_tiles_conv1_for_pose(tmp_path):
    tv = torchvision.models.resnet18()
    path = tmp_path / 'resnet18.pth'
    torch.save(tv.state_dict(), path)
    enc = _encoder(in_channels=6, pretrained=str(path))
    enc.init_weights()
    w = tv.state_dict()['conv1.weight']
    assert torch.allclose(enc.backbone.conv1.weight, torch.cat([w, w], 1) / 2)
    assert torch.equal(enc.backbone.layer4[1].conv2.weight, tv.layer4[1].conv2.weight)


def test_pretrained_wrong_depth_is_reported(tmp_path):
    path = tmp_path / 'resnet34.pth'
    torch.save(torchvision.models.resnet34().state_dict(), path)
    enc = _encoder(pretrained=str(path))
    with pytest.raises(ValueError, match='resnet34.pth'):
        enc.init_weights()


def test_decoder_scales_and_pose_net():
    enc = _encoder()
    dec = MODELS.build(dict(type='MonoDepthDecoder', num_ch_enc=enc.num_ch_enc))
    out = dec(enc(torch.rand(2, 3, 64, 96)))
    assert {s: tuple(o.shape) for s, o in out.items()} == {
        0: (2, 1, 64, 96), 1: (2, 1, 32, 48), 2: (2, 1, 16, 24), 3: (2, 1, 8, 12)}
    pose = MODELS.build(dict(type='PoseNet', encoder=dict(
        type='ResNetPyramidEncoder', backbone=dict(R18, in_channels=6))))
    aa, t = pose(torch.rand(2, 6, 64, 96))
    assert aa.shape == t.shape == (2, 3)


def test_bounded_disparity_caps_depth_softplus_does_not():
    raw = torch.tensor([-50., 0., 200.]).view(1, 1, 1, 3)
    bounded = DepthOutput('bounded_disparity', min_depth=0.1, max_depth=100.)(raw)
    assert torch.allclose(bounded.flatten(), torch.tensor([100., 1 / (0.01 + 9.99 * 0.5), 0.1]),
                          rtol=1e-4)
    soft = DepthOutput('softplus', min_depth=0.1, init_depth=10.)(raw)
    assert soft.flatten()[1].item() == pytest.approx(10.0, rel=1e-5)
    assert soft.flatten()[2].item() > 100          # metric depth beyond any max_depth
    assert soft.flatten()[0].item() == pytest.approx(0.1, abs=1e-6)


def test_bounded_output_resizes_disparity_not_depth():
    """monodepth2 upsamples the disparity; the mean of two depths 1 and 100 is then 2/1.01."""
    raw = torch.tensor([[[[50., -50.]]]])              # depths 0.1 and 100 -> use 1 and 100
    out = DepthOutput('bounded_disparity', min_depth=1.0, max_depth=100.)
    up = out(raw, (1, 3))
    assert up[0, 0, 0, 1].item() == pytest.approx(2 / (1 + 0.01), rel=1e-4)


def test_bad_output_config():
    with pytest.raises(ValueError, match='softplus'):
        DepthOutput('relu')
    with pytest.raises(ValueError, match='min_depth'):
        DepthOutput(min_depth=5, max_depth=1)


def test_weight_schedules():
    log = WeightSchedule('log', start=1.0, end=0.01, begin_epoch=0, end_epoch=20)
    assert log(0) == pytest.approx(1.0)
    assert log(10) == pytest.approx(0.1)
    assert log(20) == log(30) == pytest.approx(0.01)
    lin = WeightSchedule('linear', start=0.0, end=1.0, begin_epoch=2, end_epoch=4)
    assert [lin(e) for e in range(6)] == [0, 0, 0, 0.5, 1, 1]
    const = WeightSchedule('constant', value=0.01, begin_epoch=1)
    assert (const(0), const(5)) == (0.0, 0.01)
    with pytest.raises(ValueError, match='end_epoch'):
        WeightSchedule('log', start=1, end=0.1)
    with pytest.raises(ValueError, match='positive'):
        WeightSchedule('log', start=0, end=0.1, end_epoch=3)
    assert math.isclose(log(5), 10 ** -0.5)
