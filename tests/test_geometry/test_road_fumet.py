"""FUMET's road geometry (8-neighbour normals, road mask, per-pixel heights) against its code
restated in tests/_helpers/fumet_reference.py, on rendered roads."""
import pytest
import torch

from mmext.geometry import (backproject, fumet_normals, fumet_road_heights, fumet_road_mask,
                            pixel_rays, road_heights)
from tests._helpers import fumet_reference as ref

H, W = 48, 160
# KITTI-like intrinsics at 160 x 48 (monodepth2's normalised K)
K = torch.tensor([[0.58 * W, 0., 0.5 * W], [0., 1.92 * H, 0.5 * H], [0., 0., 1.]],
                 dtype=torch.float64)


def kitti_K(W, H):
    return torch.tensor([[0.58 * W, 0., 0.5 * W], [0., 1.92 * H, 0.5 * H], [0., 0., 1.]],
                        dtype=torch.float64)


def level_road(height=1.65, sky=40.0, K=K, size=(H, W)):
    """Depth ``(1, 1, H, W)`` of a level road ``height`` below the camera, and its mask."""
    y = pixel_rays(K[None], size)[0, ..., 1]
    road = y > 0.03
    depth = torch.where(road, height / y.clamp_min(1e-9), torch.full_like(y, sky))
    return depth[None, None], road[None]


def test_normals_equal_fumet_code_on_noisy_road():
    depth, _ = level_road()
    g = torch.Generator().manual_seed(0)
    noisy = depth * (1 + 0.01 * torch.randn(depth.shape, generator=g, dtype=depth.dtype))
    pts = backproject(noisy, K)
    assert torch.allclose(fumet_normals(pts), ref.normals(pts), atol=1e-12, rtol=0)
    # clean level road: exactly up away from the wrapped-around borders
    n = fumet_normals(backproject(depth, K))
    assert torch.allclose(n[0, 30:-1, 1:-1], torch.tensor([0., -1., 0.], dtype=torch.float64)
                          .expand(H - 31, W - 2, 3), atol=1e-12)


def test_eight_neighbours_damp_depth_noise():
    """The issue's numbers: 1% independent depth noise on a 1.65 m road at KITTI's
    640 x 192 (one right x down product reads ~1.1-1.2 m, FUMET's sum ~1.58 m)."""
    Kk = kitti_K(640, 192)
    depth, road = level_road(K=Kk, size=(192, 640))
    g = torch.Generator().manual_seed(1)
    noisy = depth * (1 + 0.01 * torch.randn(depth.shape, generator=g, dtype=depth.dtype))
    fumet = fumet_road_heights(noisy, Kk, road)['height'].item()
    right_down = road_heights(noisy, Kk, road)['height'].item()
    assert fumet == pytest.approx(1.65, rel=0.06)
    assert right_down < 1.35                       # one right x down product: far too low
    depth, road = level_road()
    clean = fumet_road_heights(depth, K, road)
    assert clean['height'].item() == pytest.approx(1.65, abs=1e-9)
    # the sum also takes the road's top row, whose upper neighbours are sky: close to up
    assert torch.allclose(clean['normal'][0], torch.tensor([0., -1., 0.], dtype=torch.float64),
                          atol=0.05)


def test_road_mask_borders_and_min_area():
    road = torch.zeros(3, H, W, dtype=torch.bool)
    road[0, 20:] = True
    thresh = int(W * H * 0.01)                    # 76 pixels
    road[1].view(-1)[:thresh] = True              # exactly the threshold: not enough
    road[2].view(-1)[:thresh + 1] = True
    mask, ok = fumet_road_mask(road)
    assert ok.tolist() == [True, False, True]
    assert not mask[:, -1].any() and not mask[:, :, 0].any() and not mask[:, :, -1].any()
    assert mask[0, 20:-1, 1:-1].all() and not mask[0, :20].any()


def test_frame_height_and_normal_as_fumet():
    depth, road = level_road()
    g = torch.Generator().manual_seed(2)
    noisy = depth * (1 + 0.02 * torch.randn(depth.shape, generator=g, dtype=depth.dtype))
    noisy = torch.cat([noisy, noisy * 1.3])
    road2 = torch.cat([road, road])
    info = fumet_road_heights(noisy, K, road2)
    pts = backproject(noisy, K)
    loss, heights, downs = ref.cam_height_loss(pts, road2.long(), 1.65)
    assert torch.allclose(info['height'], heights, atol=1e-12)
    assert torch.allclose(info['normal'], -downs, atol=1e-12)
