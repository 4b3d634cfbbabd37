"""UniDepthWrapper adaptation logic against a module following UniDepthV2's documented contract:
``encode_decode({'image': (B,3,h,w), 'camera': cam}, image_metas) -> (inputs, outputs)`` with
``outputs['depth']`` (B,1,h,w) and ``outputs['intrinsics']`` (B,3,3, *predicted*); ``infer`` is
no-grad. The real package is not installed here (not on PyPI)."""
import sys

import pytest
import torch
from mmengine.structures import BaseDataElement
from torch import nn

from mmext.depth.models import UniDepthWrapper


class FakeUniDepthV2(nn.Module):
    """Stand-in with UniDepthV2's interface; records the camera it was given."""

    def __init__(self):
        super().__init__()
        self.pixel_encoder = nn.Conv2d(3, 4, 3, padding=1)
        self.pixel_decoder = nn.Conv2d(4, 1, 1)
        self.seen = []

    def encode_decode(self, inputs, image_metas=[]):
        img, cam = inputs['image'], inputs['camera']
        assert img.shape[-2] % 14 == 0 and img.shape[-1] % 14 == 0
        self.seen.append((tuple(img.shape[-2:]), cam.clone()))
        depth = 0.3 + torch.sigmoid(self.pixel_decoder(self.pixel_encoder(img)))
        pred_K = cam * 1.2                      # a different, "predicted" camera
        pred_K[:, 2, 2] = 1
        return inputs, {'depth': depth, 'intrinsics': pred_K}

    @torch.no_grad()
    def infer(self, rgb, camera=None):
        raise AssertionError('training must not go through infer (no_grad)')


def _samples(B=2, H=60, W=80):
    out = []
    for _ in range(B):
        s = BaseDataElement()
        s.K = torch.tensor([[100.0, 0, 39.5], [0, 100.0, 29.5], [0, 0, 1]])
        s.gt_depth = torch.full((1, H, W), 0.5)
        out.append(s)
    return out


def _wrapper(**kw):
    return UniDepthWrapper(module=FakeUniDepthV2(), camera_fn=lambda K: K, input_size=(42, 56),
                           **kw)


def test_training_goes_through_forward_with_true_K():
    w = _wrapper(losses=[dict(type='SILogLoss', lambd=0.85)])
    samples = _samples()
    x = torch.randn(2, 3, 60, 80)
    losses = w(x, samples, mode='loss')
    losses['loss_silog'].backward()
    assert w.module.pixel_encoder.weight.grad is not None
    size, cam = w.module.seen[-1]
    assert size == (42, 56)
    # The camera passed is the true K scaled from 80x60 to 56x42 (fx * 0.7).
    assert cam[0, 0, 0].item() == pytest.approx(70.0)
    assert cam[0, 0, 2].item() == pytest.approx(0.7 * 40.0 - 0.5)
    # Predicted fx is 1.2x the true one: logged as a 20% error, not used as K.
    assert losses['pred_fx_rel_err'].item() == pytest.approx(0.2)


def test_predict_keeps_true_K_and_returns_predicted_K_at_input_size():
    w = _wrapper().eval()
    samples = w(torch.randn(2, 3, 60, 80), _samples(), mode='predict')
    s = samples[0]
    assert s.pred_depth.shape == (1, 60, 80)
    assert torch.equal(s.K, torch.tensor([[100.0, 0, 39.5], [0, 100.0, 29.5], [0, 0, 1]]))
    assert s.pred_K[0, 0].item() == pytest.approx(120.0, rel=1e-5)
    # cx: true 39.5 -> network 0.7 * 40 - 0.5 = 27.5 -> predicted 33.0 -> back (33.5 / 0.7 - 0.5).
    assert s.pred_K[0, 2].item() == pytest.approx(33.5 / 0.7 - 0.5, rel=1e-5)


def test_missing_K_and_missing_package_errors(monkeypatch):
    w = _wrapper()
    s = BaseDataElement()
    with pytest.raises(ValueError, match='true K'):
        w(torch.randn(1, 3, 28, 28), [s], mode='tensor')
    monkeypatch.setitem(sys.modules, 'unidepth', None)
    monkeypatch.setitem(sys.modules, 'unidepth.models', None)
    with pytest.raises(ImportError, match='git\\+https://github.com/lpiccinelli-eth/UniDepth'):
        UniDepthWrapper()
