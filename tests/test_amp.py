"""mmext under automatic mixed precision: float32 islands and every family's loss in bf16.

CPU autocast runs matrix products and convolutions in bfloat16 (8 mantissa bits, coarser
than CUDA's float16), so these tests catch on CPU what would go wrong on a GPU with --amp.
"""
import pytest
import torch

from mmext.utils.amp import autocast_active, float32, float32_region, to_float32

BF16 = dict(device_type='cpu', dtype=torch.bfloat16)


def test_helper_casts_half_inputs_and_disables_autocast():
    seen = {}

    @float32
    def f(x, pair, d, n=3):
        seen.update(active=autocast_active(), dtypes=(x.dtype, pair[0].dtype, d['a'].dtype))
        return x @ x

    x = torch.randn(4, 4)
    with torch.autocast(**BF16):
        out = f(x.bfloat16(), (x.half(), 1), {'a': x.double()})
    assert seen == dict(active=False, dtypes=(torch.float32, torch.float32, torch.float64))
    assert out.dtype == torch.float32
    # outside autocast: a plain call, nothing cast
    f(x.half().float(), (x.half(), 1), {'a': x})
    assert seen['dtypes'][1] == torch.float16 and seen['active'] is False
    assert f.__wrapped__ is not None and f.__mmext_float32__


def test_region_restores_autocast():
    with torch.autocast(**BF16):
        with float32_region():
            assert not autocast_active()
            assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32
        assert autocast_active()
    assert to_float32([torch.ones(1, dtype=torch.bfloat16)])[0].dtype == torch.float32


# ---- the guarded numerics: exactly float32 under autocast, and the guard matters --------------
def _table_scene(B=2, H=48, W=64):
    K = torch.tensor([[70., 0, W / 2], [0, 70., H / 2], [0, 0, 1]])
    v = torch.arange(H, dtype=torch.float32).view(H, 1).expand(H, W)
    depth = 0.6 + 0.002 * v                                   # tilted table
    mask = torch.zeros(H, W, dtype=torch.bool)
    mask[16:32, 20:44] = True
    depth = torch.where(mask, depth - 0.03, depth)            # a 3 cm block of food
    return depth.expand(B, H, W).clone(), K, mask.expand(B, H, W).clone()


def _half(x):
    """What a network under autocast hands over: a bf16 tensor."""
    return x.bfloat16()


def _cases(dtype_of_net_output):
    """Each case: a call of a guarded function on inputs that a bf16 network would produce
    (``dtype_of_net_output=torch.bfloat16``) or on the same values in float32."""
    from mmext.geometry import (backproject, camera_heights, compute_volume,
                                fit_plane_lstsq, warp_to_target)
    from mmext.selfsup.losses.ssim import ssim_dissimilarity
    g = torch.Generator().manual_seed(0)
    net = lambda x: _half(x).to(dtype_of_net_output)  # noqa: E731

    def volume():
        d, K, m = _table_scene()
        return compute_volume(net(d), K, m)

    def plane():
        pts = torch.randn(2, 500, 3, generator=g) * torch.tensor([2., 2., 0.01])
        pts[..., 2] += 0.3 * pts[..., 0] - 0.2 * pts[..., 1] + 5.0
        return fit_plane_lstsq(net(pts), torch.ones(2, 500))

    def warp():
        d, K, _ = _table_scene()
        T = torch.eye(4).expand(2, 4, 4).clone()
        T[:, 0, 3] = 0.05
        src = torch.rand(2, 3, 48, 64, generator=g)
        return warp_to_target(src, net(d[:, None] * 20), T, K)[0]

    def points():
        d, K, _ = _table_scene()
        return backproject(net(d * 30), K * 8)

    def camera_height():
        H, W = 64, 128
        K = torch.tensor([[0.58 * W, 0, W / 2], [0, 1.92 * H, H / 2], [0, 0, 1.]])
        v = torch.arange(H, dtype=torch.float32).view(H, 1).expand(H, W)
        ray_y = (v + 0.5 - H / 2) / K[1, 1]
        depth = torch.where(ray_y > 0.02, 1.65 / ray_y.clamp_min(1e-3), torch.tensor(80.))
        road = (ray_y > 0.05).expand(2, H, W)
        return camera_heights(net(depth.expand(2, H, W)), K, road)

    def ssim():
        x = torch.rand(2, 3, 32, 32, generator=g)
        return ssim_dissimilarity(net(x), net(x + 0.01 * torch.rand(2, 3, 32, 32, generator=g)))

    return dict(volume=volume, plane=plane, warp=warp, points=points,
                camera_height=camera_height, ssim=ssim)


CASES = ['volume', 'plane', 'warp', 'points', 'camera_height', 'ssim']


@pytest.mark.parametrize('name', CASES)
def test_guarded_numerics_are_float32_under_autocast(name):
    ref = _cases(torch.float32)[name]()          # bf16-rounded values, computed in float32
    with torch.autocast(**BF16):
        got = _cases(torch.bfloat16)[name]()     # bf16 tensors, under autocast
    assert got.dtype == torch.float32
    torch.testing.assert_close(got, ref, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize('name', CASES)
def test_without_the_guards_bf16_is_wrong(monkeypatch, name):
    """What the guards prevent: the same calls with the guards off are visibly off."""
    from mmext.utils import amp
    ref = _cases(torch.float32)[name]()
    monkeypatch.setattr(amp, 'GUARDS_ENABLED', False)
    with torch.autocast(**BF16):
        bad = _cases(torch.bfloat16)[name]().float()
    rel = ((bad - ref).abs().max() / ref.abs().max().clamp_min(1e-12)).item()
    assert rel > 1e-3, f'{name}: unguarded bf16 unexpectedly close ({rel:.2e})'


def test_slot_attention_softmax_in_float32():
    from mmext.slots.models.slot_attention import SlotAttention
    torch.manual_seed(0)
    sa = SlotAttention(dim=16, num_slots=4, iters=2)
    k, slots = torch.randn(2, 30, 16), torch.randn(2, 4, 16)
    ref = sa.attention(k, slots)
    with torch.autocast(**BF16):
        got = sa.attention(k, slots)
    assert got.dtype == torch.float32
    torch.testing.assert_close(got, ref, rtol=1e-6, atol=1e-7)


# ---- every family: forward + loss under bf16 autocast vs float32 -------------------------------
REL_TOL = 0.05  # bf16 networks: each loss term within 5 % of its float32 value (measured below)


def _compare_losses(model, run):
    torch.manual_seed(0)
    ref = run(model)
    torch.manual_seed(0)
    with torch.autocast(**BF16):
        amp = run(model)
    total = sum(v for k, v in amp.items() if k.startswith('loss'))
    total.backward()  # gradients flow through the float32 islands
    assert torch.isfinite(total)
    for k, v in ref.items():
        if not k.startswith('loss') or not torch.is_tensor(v):
            continue
        v, a = v.detach().float(), amp[k].detach().float()
        assert torch.isfinite(a).all(), k
        assert (a - v).abs().max() <= REL_TOL * v.abs().max() + 1e-6, (k, a, v)


def test_food_depth_estimator_bf16():
    from mmext.depth.models import DepthEstimator
    from tests.test_depth.test_depth_estimator import LOSSES, TINY, _batch
    torch.manual_seed(0)
    model = DepthEstimator(**TINY, losses=LOSSES)
    data = model.data_preprocessor(_batch(), training=True)
    _compare_losses(model, lambda m: m(**data, mode='loss'))


def test_selfsup_fumet_bf16():
    from tests.test_selfsup.test_selfsup_estimator import batch, tiny_model
    torch.manual_seed(0)
    model = tiny_model()
    model.camera_height_target.fill_(1.65) if hasattr(model, 'camera_height_target') else None
    inputs, samples = batch()
    _compare_losses(model, lambda m: m.loss(inputs, samples))


def test_slots_dinosaur_bf16():
    from tests.test_slots.test_slot_models import _batch, tiny_dinosaur
    torch.manual_seed(0)
    model = tiny_dinosaur()
    data = model.data_preprocessor(_batch(), training=True)
    _compare_losses(model, lambda m: m(**data, mode='loss'))


def test_thermal_yolox_bf16():
    pytest.importorskip('mmdet')
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData

    from mmengine.config import ConfigDict
    from mmengine.registry import DefaultScope

    from mmext.registry import MODELS
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmext'):
        model = MODELS.build(ConfigDict(
            type='YOLOX',
            data_preprocessor=dict(type='DetDataPreprocessor', pad_size_divisor=32),
            backbone=dict(type='CSPDarknet', deepen_factor=0.33, widen_factor=0.125),
            neck=dict(type='YOLOXPAFPN', in_channels=[32, 64, 128], out_channels=32,
                      num_csp_blocks=1),
            bbox_head=dict(type='YOLOXHead', num_classes=3, in_channels=32, feat_channels=32),
            train_cfg=dict(assigner=dict(type='SimOTAAssigner', center_radius=2.5)),
            test_cfg=dict(score_thr=0.01, nms=dict(type='nms', iou_threshold=0.65))))
    samples = []
    for i in range(2):
        s = DetDataSample(metainfo=dict(img_shape=(96, 128), ori_shape=(96, 128),
                                        pad_shape=(96, 128), scale_factor=(1., 1.)))
        s.gt_instances = InstanceData(bboxes=torch.tensor([[10., 12., 50., 60.],
                                                           [60., 20., 120., 90.]]),
                                      labels=torch.tensor([0, 2]))
        samples.append(s)
    inputs = torch.rand(2, 3, 96, 128) * 255
    _compare_losses(model, lambda m: m(inputs, samples, mode='loss'))
    model.eval()
    with torch.no_grad(), torch.autocast(**BF16):
        out = model(inputs, samples, mode='predict')  # NMS on bf16-produced boxes
    assert len(out) == 2


# ---- tools/train.py --amp / --amp-dtype -------------------------------------------------------
def test_amp_dtype_sets_the_optim_wrapper(monkeypatch, tmp_path):
    from mmengine.config import Config

    from mmext.apis import configure_train
    from mmext.utils import UserInputError
    def cfg():
        return Config(dict(optim_wrapper=dict(type='OptimWrapper', optimizer=dict(type='SGD'))))

    with pytest.raises(UserInputError, match='needs --amp'):
        configure_train(cfg(), 'x.py', work_dir=str(tmp_path), amp_dtype='bfloat16')
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)  # the GPU path
    out = configure_train(cfg(), 'x.py', work_dir=str(tmp_path), amp=True,
                          amp_dtype='bfloat16')
    assert out.optim_wrapper.type == 'AmpOptimWrapper'
    assert out.optim_wrapper.dtype == 'bfloat16' and out.optim_wrapper.loss_scale == 'dynamic'
    fp16 = configure_train(cfg(), 'x.py', work_dir=str(tmp_path), amp=True)
    assert 'dtype' not in fp16.optim_wrapper  # mmengine's default: float16
