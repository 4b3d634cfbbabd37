"""UniDepthWrapper against a stand-in reproducing UniDepth's camera classes and UniDepthV2's
``encode_decode`` (see _unidepth_standin.py), at batch 2. The real package is not on PyPI;
``test_real_unidepth_vits_batch2`` (slow) runs when it is importable, e.g. after
``tools/unidepth_local_install.sh`` with its PYTHONPATH (docs/food.md)."""
import functools
import sys

import pytest
import torch
from mmengine.structures import BaseDataElement

from mmext.depth.models import UniDepthWrapper
from mmext.depth.models.unidepth_wrapper import build_batch_camera
from . import _unidepth_standin as ud

K1 = [[100.0, 0, 39.5], [0, 100.0, 29.5], [0, 0, 1]]
K2 = [[140.0, 0, 41.0], [0, 130.0, 27.0], [0, 0, 1]]


def _samples(Ks=(K1, K2), H=60, W=80):
    out = []
    for K in Ks:
        s = BaseDataElement()
        s.K = torch.tensor(K)
        s.gt_depth = torch.full((1, H, W), 0.5)
        out.append(s)
    return out


def _wrapper(**kw):
    return UniDepthWrapper(module=ud.StandInUniDepthV2(), input_size=(42, 56),
                           camera_fn=functools.partial(build_batch_camera,
                                                       pinhole_cls=ud.Pinhole), **kw)


def test_standin_reproduces_the_batch_crash_of_one_pinhole():
    """What the wrapper used to build (one Pinhole holding the whole batch) fails at B=2 with
    UniDepth's camera semantics; one Pinhole per image works and gives each image its rays."""
    K = torch.tensor([K1, K2])
    bad = ud.BatchCamera.from_camera(ud.Pinhole(K=K))
    with pytest.raises(RuntimeError, match='shape'):
        bad.get_rays(shapes=(2, 6, 8))
    ok = build_batch_camera(K, pinhole_cls=ud.Pinhole)
    assert isinstance(ok, ud.BatchCamera) and len(ok.cameras) == 2
    assert ok.K.shape == (2, 3, 3) and ok.params.shape == (2, 16)
    rays = ok.get_rays(shapes=(2, 6, 8))
    for i in range(2):
        single = ud.BatchCamera.from_camera(ud.Pinhole(K=K[i:i + 1])).get_rays((1, 6, 8))
        assert torch.allclose(rays[i:i + 1], single)
    assert not torch.allclose(rays[0], rays[1])
    with pytest.raises(ValueError, match='B, 3, 3'):
        build_batch_camera(K[0], pinhole_cls=ud.Pinhole)


def test_default_predicted_camera_batch2_train_and_predict():
    w = _wrapper(losses=[dict(type='SILogLoss', lambd=0.85)])
    assert w.camera_mode == 'predicted'
    x = torch.randn(2, 3, 60, 80)
    losses = w(x, _samples(), mode='loss')
    losses['loss_silog'].backward()
    assert w.module.pixel_encoder.weight.grad is not None
    shape, cam, _ = w.module.seen[-1]
    assert shape == (2, 3, 42, 56) and cam is None    # no camera given: UniDepth predicts it
    # Predicted fx (network 56 px wide) ~ 1.3 * 56 -> 1.3 * 80 px at the input size.
    assert 0 < losses['pred_fx_rel_err'].item() and 'loss_focal' not in losses
    w.eval()
    samples = w(x, _samples(), mode='predict')
    for s, K in zip(samples, (K1, K2)):
        assert s.pred_depth.shape == (1, 60, 80)
        assert torch.equal(s.K, torch.tensor(K))       # true K kept for the volume
        assert s.pred_K[0, 0].item() == pytest.approx(80 * 1.3, rel=0.11)
        assert s.pred_fx_rel_err == pytest.approx(abs(s.pred_K[0, 0].item() / K[0][0] - 1),
                                                  rel=1e-5)
    # 'tensor' mode in predicted mode does not need K.
    assert w(x, None, mode='tensor').shape == (2, 1, 60, 80)


def test_true_K_mode_batch2_feeds_each_image_its_camera():
    w = _wrapper(losses=[dict(type='SILogLoss', lambd=0.85)], camera_mode='true_K')
    x = torch.randn(2, 3, 60, 80)
    losses = w(x, _samples(), mode='loss')
    losses['loss_silog'].backward()
    shape, cam, rays = w.module.seen[-1]
    assert shape == (2, 3, 42, 56)
    # The true K scaled from 80x60 to 56x42 (x 0.7, centres with the half-pixel shift).
    assert cam[0, 0, 0].item() == pytest.approx(70.0) and cam[1, 0, 0].item() == pytest.approx(98.)
    assert cam[1, 1, 1].item() == pytest.approx(91.0)
    assert cam[0, 0, 2].item() == pytest.approx(0.7 * 40.0 - 0.5)
    assert not torch.allclose(rays[0], rays[1])
    with pytest.raises(ValueError, match='true K'):
        w(x, None, mode='tensor')


def test_focal_loss_term_trains_the_camera_head():
    w = _wrapper(losses=[dict(type='SILogLoss', lambd=0.85)], focal_loss_weight=0.5)
    losses = w(torch.randn(2, 3, 60, 80), _samples(), mode='loss')
    assert losses['loss_focal'].item() > 0
    losses['loss_focal'].backward()
    assert w.module.cam_head.weight.grad.abs().sum() > 0
    with pytest.raises(ValueError, match='camera_mode'):
        _wrapper(camera_mode='gt')


def test_missing_K_and_missing_package_errors(monkeypatch):
    w = _wrapper(losses=[dict(type='SILogLoss', lambd=0.85)])
    with pytest.raises(ValueError, match='true K'):
        w(torch.randn(1, 3, 28, 28), [BaseDataElement()], mode='loss')
    monkeypatch.setitem(sys.modules, 'unidepth', None)
    monkeypatch.setitem(sys.modules, 'unidepth.models', None)
    with pytest.raises(ImportError, match='git\\+https://github.com/lpiccinelli-eth/UniDepth'):
        UniDepthWrapper()


def _unidepth_config_path(name: str = 'config_v2_vits14.json'):
    """The UniDepth repository's ``configs/<name>``: ``$UNIDEPTH_REPO/configs`` or next to
    the imported package (``unidepth`` is a namespace package: no ``__file__``)."""
    import os
    import os.path as osp

    import unidepth
    roots = [os.environ.get('UNIDEPTH_REPO', '')]
    roots += [osp.dirname(p) for p in getattr(unidepth, '__path__', [])]
    for root in roots:
        if root and osp.isfile(osp.join(root, 'configs', name)):
            return osp.join(root, 'configs', name)
    return None


@pytest.mark.slow
def test_real_unidepth_vits_batch2():
    """With the real package (tools/unidepth_local_install.sh): UniDepthV2 ViT-S (random
    weights, the repository's configs/config_v2_vits14.json) at batch 2 in both camera modes:
    loss + backward, predict, one camera per image, and batch 2 == two batches of 1."""
    pytest.importorskip('unidepth.models', reason='UniDepth not importable '
                        '(tools/unidepth_local_install.sh builds it from a local clone)')
    import json

    from unidepth.models import UniDepthV2
    cfg_path = _unidepth_config_path()
    if cfg_path is None:
        pytest.skip('UniDepth configs/config_v2_vits14.json not found: set UNIDEPTH_REPO to '
                    'the UniDepth clone')
    with open(cfg_path) as f:
        cfg = json.load(f)
    torch.manual_seed(0)
    net = UniDepthV2(cfg)
    H, W = 120, 160
    x = torch.randn(2, 3, H, W)
    for mode in ('predicted', 'true_K'):
        w = UniDepthWrapper(module=net, input_size=(112, 154), camera_mode=mode,
                            losses=[dict(type='SILogLoss', lambd=0.85)])
        w.train()
        losses = w(x, _samples(H=H, W=W), mode='loss')
        assert torch.isfinite(losses['loss_silog'])
        net.zero_grad()
        losses['loss_silog'].backward()
        grads = [p.grad for p in net.pixel_decoder.parameters() if p.grad is not None]
        assert grads and all(torch.isfinite(g).all() for g in grads)
        w.eval()
        with torch.no_grad():
            out = w(x, _samples(H=H, W=W), mode='predict')
            assert [tuple(s.pred_depth.shape) for s in out] == [(1, H, W)] * 2
            assert [tuple(s.pred_K.shape) for s in out] == [(3, 3)] * 2
            # each image of the batch of 2 gets the result of its own batch of 1
            for i, K in enumerate((K1, K2)):
                one = w(x[i:i + 1], _samples(Ks=(K,), H=H, W=W), mode='predict')[0]
                assert torch.allclose(one.pred_depth, out[i].pred_depth, rtol=1e-4, atol=1e-5)
    # true_K: the network really uses each image's own camera (its rays come from that K)
    cam = build_batch_camera(torch.tensor([K1, K2]))
    net.eval()
    with torch.no_grad():
        _, o = net.encode_decode({'image': torch.randn(2, 3, 56, 84), 'camera': cam}, [])
    from unidepth.utils.camera import Pinhole
    for i, K in enumerate((K1, K2)):
        ref = Pinhole(K=torch.tensor([K])).get_rays(shapes=(1, 56, 84))
        assert torch.allclose(o['rays'][i:i + 1], ref, atol=1e-6)
    assert not torch.allclose(o['rays'][0], o['rays'][1], atol=1e-3)
