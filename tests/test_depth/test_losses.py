"""Depth/volume losses against their formulas on concrete numbers."""
import math

import pytest
import torch

from mmext.depth.losses import (DepthGradientLoss, MaskedL1Loss, PlaneLevelLoss, SILogLoss,
                                VolumeLoss)
from mmext.geometry import compute_volume
from mmext.synthetic.nutrition5k_solids import SphericalCap, TableScene, intrinsics, render_scene

LN2 = math.log(2.0)


def dav2_silog(pred, target, valid_mask, lambd=0.5):
    """Depth-Anything-V2 metric_depth/util/loss.py SiLogLoss.forward, restated."""
    diff_log = torch.log(target[valid_mask]) - torch.log(pred[valid_mask])
    return torch.sqrt(torch.pow(diff_log, 2).mean() - lambd * torch.pow(diff_log.mean(), 2))


def test_silog_concrete_numbers():
    pred = torch.tensor([[[1.0, 1.0, 4.0, 3.0]]])
    gt = torch.tensor([[[2.0, 2.0, 2.0, 0.0]]])      # last pixel invalid (gt = 0)
    # d = [ln2, ln2, -ln2]: mean(d^2) = ln2^2, mean(d) = ln2 / 3.
    assert SILogLoss(0.5)(pred, gt).item() == pytest.approx(LN2 * math.sqrt(1 - 0.5 / 9))
    assert SILogLoss(0.85)(pred, gt).item() == pytest.approx(LN2 * math.sqrt(1 - 0.85 / 9))
    # UniDepth's form sqrt(var(d) + 0.15 mean(d)^2) (population variance) equals lambda=0.85.
    d = torch.tensor([LN2, LN2, -LN2])
    uni = torch.sqrt(d.var(unbiased=False) + 0.15 * d.mean() ** 2)
    assert SILogLoss(0.85)(pred, gt).item() == pytest.approx(uni.item())


def test_silog_matches_dav2_on_random_batch():
    gen = torch.Generator().manual_seed(0)
    pred = torch.rand(2, 1, 6, 7, generator=gen) * 3 + 0.1
    gt = torch.rand(2, 1, 6, 7, generator=gen) * 3 + 0.1
    mask = torch.rand(2, 1, 6, 7, generator=gen) > 0.3
    ref = dav2_silog(pred, gt, mask)
    assert torch.allclose(SILogLoss(0.5, loss_weight=1.0)(pred, gt, mask), ref)
    assert torch.allclose(SILogLoss(0.5, loss_weight=2.0)(pred, gt, mask), 2 * ref)
    with pytest.raises(ValueError, match='lambd'):
        SILogLoss(1.5)


def test_masked_l1_concrete():
    pred = torch.tensor([[[1.0, 2.0], [3.0, 5.0]]])
    gt = torch.tensor([[[1.5, 2.0], [0.0, 4.0]]])
    food = torch.tensor([[[True, False], [True, True]]])
    assert MaskedL1Loss()(pred, gt).item() == pytest.approx((0.5 + 0 + 1) / 3)
    assert MaskedL1Loss(use_food_mask=True)(pred, gt, food_mask=food).item() == \
        pytest.approx((0.5 + 1) / 2)


def test_gradient_loss_concrete():
    pred = torch.tensor([[[1.0, 2.0, 4.0], [1.0, 1.0, 1.0]]])
    gt = torch.ones(1, 2, 3)
    # x-differences: row0 |1|,|2|; row1 0,0. y-differences: |0|,|1|,|3|. N = 4 + 3.
    assert DepthGradientLoss()(pred, gt).item() == pytest.approx((1 + 2 + 0 + 0 + 0 + 1 + 3) / 7)
    gt2 = gt.clone()
    gt2[0, 0, 2] = 0                       # invalid pixel removes 2 differences
    assert DepthGradientLoss()(pred, gt2).item() == pytest.approx((1 + 0 + 0 + 0 + 1) / 5)


def _plane_depth(tilt_x, tilt_y, size=(60, 80)):
    K = intrinsics(77.0, 77.0, 39.5, 29.5)
    depth, _, _ = render_scene(TableScene(K, size, 0.36, tilt_x, tilt_y))
    mask = torch.zeros(1, *size, dtype=torch.bool)
    mask[0, 25:35, 35:45] = True
    return torch.from_numpy(depth)[None], mask, torch.from_numpy(K)


def test_plane_level_loss_is_one_minus_cos_tilt():
    for tx, ty in [(0.0, 0.0), (0.1, 0.0), (0.05, -0.08)]:
        depth, mask, K = _plane_depth(tx, ty)
        loss = PlaneLevelLoss(ring_inner=2, ring_width=6)(depth, food_mask=mask, K=K)
        assert loss.item() == pytest.approx(1 - math.cos(tx) * math.cos(ty), abs=1e-9)


def _cap_scene():
    K = intrinsics(154.0, 154.0, 79.5, 59.5)     # 160x120: 640x480 K scaled by 1/4
    cap = SphericalCap(0.01, 0.0, 0.05, 0.02)
    depth, label, _ = render_scene(TableScene(K, (120, 160), 0.359, solids=[cap]))
    return torch.from_numpy(depth)[None], torch.from_numpy(label == 1)[None], torch.from_numpy(K)


def test_volume_loss_is_relative_error_of_compute_volume():
    depth, mask, K = _cap_scene()
    v = compute_volume(depth, K, mask)
    gt = torch.cat([v * 1.25, torch.zeros(1, dtype=v.dtype)])
    loss = VolumeLoss()(torch.cat([depth, depth]), food_mask=torch.cat([mask, mask]), K=K,
                        gt_volume=gt)
    # Image 2 has no food (gt 0) and is skipped.
    expected = (0.25 * v / (1.25 * v + 1e-8)).item()   # eps = 1e-8 m^3 as in the seed
    assert loss.item() == pytest.approx(expected, rel=1e-9)
    assert expected == pytest.approx(0.2, rel=1e-3)


@pytest.mark.parametrize('loss', [SILogLoss(), MaskedL1Loss(use_food_mask=True),
                                  DepthGradientLoss(region='food'), PlaneLevelLoss(),
                                  VolumeLoss()])
def test_finite_gradients_on_empty_masks_and_zero_depth(loss):
    K = torch.from_numpy(intrinsics(40.0, 40.0, 15.5, 11.5)).float()
    gt = torch.full((2, 1, 24, 32), 0.36)
    gt[1, :, 5:9, 5:9] = 0.0
    food = torch.zeros(2, 1, 24, 32, dtype=torch.bool)
    food[1, :, 8:16, 10:20] = True
    for pred0 in (torch.zeros(2, 1, 24, 32), torch.full((2, 1, 24, 32), 0.3)):
        pred = pred0.clone().requires_grad_(True)
        for fm in (food, torch.zeros_like(food)):
            out = loss(pred, gt, None, food_mask=fm, K=K, gt_volume=torch.tensor([0.0, 1e-5]))
            out.backward()
            assert torch.isfinite(out) and torch.isfinite(pred.grad).all(), (type(loss), fm.any())
            pred.grad = None
