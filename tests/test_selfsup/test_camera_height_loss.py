"""CameraHeightLoss, form="median" (mmext's earlier form; FUMET's per-pixel form is tested in
test_fumet_formulas.py)."""
import pytest
import torch

from mmext.geometry import pixel_rays
from mmext.registry import MODELS
from mmext.selfsup.losses import CameraHeightLoss

H, W = 16, 20
K = torch.tensor([[30., 0., 9.5], [0., 30., 5.5], [0., 0., 1.]], dtype=torch.float64)


def road_scene(height=1.65):
    """Depth ``(1, 1, H, W)`` of a level road ``height`` below the camera, and its mask."""
    y = pixel_rays(K[None], (H, W))[0, ..., 1]               # (v - cy) / fy
    road = y > 0.05
    depth = torch.where(road, height / y.clamp_min(1e-9), torch.full_like(y, 40.0))
    return depth[None, None], road[None]


def test_zero_at_target_and_scaled_depth_by_hand():
    depth, road = road_scene(1.65)
    loss = CameraHeightLoss(loss_weight=1.0, form='median')
    assert loss(depth, K, road, 1.65).item() == pytest.approx(0.0, abs=1e-12)
    assert loss(depth * 2, K, road, 1.65).item() == pytest.approx(1.65, abs=1e-12)
    # Default weight is FUMET's 0.01; a (B,) target tensor works too.
    target = torch.tensor([1.65], dtype=torch.float64)
    loss = CameraHeightLoss(form='median')(depth * 2, K, road, target)
    assert loss.item() == pytest.approx(0.0165, abs=1e-12)


def test_gradient_pushes_depth_toward_target():
    depth, road = road_scene(1.65)
    d = (depth * 2).requires_grad_(True)
    CameraHeightLoss(loss_weight=1.0, form='median')(d, K, road, 1.65).backward()
    # d loss / d scale = +h = 3.3 (too high -> shrink the depth); grad . depth is that.
    assert (d.grad * d).sum().item() == pytest.approx(3.3, abs=1e-9)
    d = (depth * 0.5).requires_grad_(True)
    CameraHeightLoss(loss_weight=1.0, form='median')(d, K, road, 1.65).backward()
    assert (d.grad * d).sum().item() == pytest.approx(-0.825, abs=1e-9)


def test_invalid_frames_skipped_and_zero_with_graph():
    depth, road = road_scene(1.65)
    few = torch.zeros_like(road)
    few[0, -1, :5] = True                                     # 5 < min_pixels road pixels
    depth2 = torch.cat([depth * 2, depth])
    loss = MODELS.build(dict(type='CameraHeightLoss', loss_weight=1.0, min_pixels=20,
                                  form='median'))
    assert loss.loss_name == 'loss_camera_height'
    assert loss(depth2, K, torch.cat([road, few]), 1.65).item() == pytest.approx(1.65)
    # A NaN target (no pseudo-label yet) skips its frame.
    tgt = torch.tensor([float('nan'), 1.0], dtype=torch.float64)
    assert loss(depth2, K, torch.cat([road, road]), tgt).item() == pytest.approx(0.65)
    d = depth.clone().requires_grad_(True)
    zero = loss(d, K, few, 1.65)
    zero.backward()
    assert zero.item() == 0 and torch.equal(d.grad, torch.zeros_like(d))
