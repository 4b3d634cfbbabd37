import math

import pytest
import torch

from mmext.geometry import backproject, horizon_row, neighbour_normals, pixel_rays, road_heights

H, W = 24, 32
K = torch.tensor([[40., 0., 15.5], [0., 40., 7.5], [0., 0., 1.]], dtype=torch.float64)


def _pitch_normal(theta):
    """Road up-normal in the frame of a camera pitched down by ``theta`` (radians)."""
    return torch.tensor([0., -math.cos(theta), -math.sin(theta)], dtype=torch.float64)


def render_road(height=1.65, theta=0.0, sky=50.0):
    """Depth of a flat road ``n . X = -height`` below a camera; rows above it get ``sky``.

    Returns depth ``(1, 1, H, W)`` and the road mask ``(1, H, W)``.
    """
    n = _pitch_normal(theta)
    rays = pixel_rays(K[None], (H, W))[0]                    # (H, W, 3), z = 1
    nr = rays @ n
    road = nr < -0.05                                        # well below the horizon
    depth = torch.where(road, -height / nr.clamp(max=-1e-9), torch.full_like(nr, sky))
    return depth[None, None], road[None]


def test_neighbour_normals_of_flat_road_point_up():
    depth, road = render_road()
    n = neighbour_normals(backproject(depth, K))
    # Interior road pixels whose right/lower neighbours are road too: exactly (0, -1, 0).
    inner = road[0].clone()
    inner[-1] = inner[:, -1] = False
    expect = torch.tensor([0., -1., 0.], dtype=torch.float64)
    assert torch.allclose(n[0][inner], expect.expand(int(inner.sum()), 3), atol=1e-12)
    # Last row / column replicate their neighbour.
    assert torch.equal(n[0, -1], n[0, -2]) and torch.equal(n[0, :, -1], n[0, :, -2])


def test_neighbour_normals_orientation_and_degenerate_zero():
    # A wall facing the camera (z constant) has normal -z or +z; never flipped by y.
    pts = backproject(torch.full((1, 1, 4, 5), 3.0, dtype=torch.float64), K)
    n = neighbour_normals(pts)
    assert torch.allclose(n[..., 2].abs(), torch.ones(1, 4, 5, dtype=torch.float64))
    # All points equal -> zero cross product -> zero normal, finite gradient.
    pts = torch.ones(1, 3, 3, 3, dtype=torch.float64, requires_grad=True)
    n = neighbour_normals(pts)
    assert torch.equal(n, torch.zeros_like(n))
    n.sum().backward()
    assert torch.isfinite(pts.grad).all() and torch.equal(pts.grad, torch.zeros_like(pts))
    # Upside-down geometry (ceiling above camera) is still oriented n_y <= 0.
    depth, _ = render_road()
    pts = backproject(depth, K) * torch.tensor([1., -1., 1.], dtype=torch.float64)
    assert (neighbour_normals(pts)[..., 1] <= 0).all()


def test_road_heights_flat_road_exact_and_scale_covariant():
    depth, road = render_road(1.65)
    out = road_heights(depth, K, road)
    assert out['height'].shape == (1,) and out['normal'].shape == (1, 3)
    assert out['count'].tolist() == [int(road.sum())]
    assert abs(out['height'].item() - 1.65) < 1e-12
    assert torch.allclose(out['normal'][0], torch.tensor([0., -1., 0.], dtype=torch.float64))
    scaled = road_heights(depth * 2.5, K, road)['height']
    assert abs(scaled.item() - 1.65 * 2.5) < 1e-12


def test_road_heights_tilted_camera_and_batch_nan():
    theta = math.radians(3.0)
    d0, r0 = render_road(1.65, theta)
    d1, r1 = render_road(1.2)
    r1 = r1.clone()
    r1[:] = False
    r1[0, -2:, :5] = True                                     # 10 pixels < min_pixels
    out = road_heights(torch.cat([d0, d1]), K, torch.cat([r0, r1]).float(), min_pixels=20)
    assert abs(out['height'][0].item() - 1.65) < 1e-12
    assert torch.allclose(out['normal'][0], _pitch_normal(theta), atol=1e-12)
    assert torch.isnan(out['height'][1]) and torch.isnan(out['normal'][1]).all()
    assert out['count'].tolist() == [int(r0.sum()), 10]


def test_road_heights_is_differentiable_and_robust_to_outliers():
    depth, road = render_road(1.65)
    depth = depth.clone()
    rows, cols = torch.nonzero(road[0], as_tuple=True)
    depth[0, 0, rows[:10], cols[:10]] *= 1.3                  # a few bad road pixels
    depth.requires_grad_(True)
    h = road_heights(depth, K, road)['height']
    assert abs(h.item() - 1.65) < 1e-9                        # the median ignores them
    h.sum().backward()
    # Scale covariance => directional derivative along depth itself equals the height.
    assert abs((depth.grad * depth).sum().item() - 1.65) < 1e-9


def test_horizon_row_level_and_pitched():
    level = horizon_row(_pitch_normal(0.0)[None], K)
    assert torch.allclose(level, torch.tensor([7.5], dtype=torch.float64))
    theta = math.radians(3.0)
    n = torch.stack([_pitch_normal(theta), -_pitch_normal(theta)])   # sign does not matter
    v = horizon_row(n, K, u=torch.tensor([0., 31.], dtype=torch.float64))
    expect = 7.5 - 40.0 * math.tan(theta)
    assert torch.allclose(v, torch.full((2,), expect, dtype=torch.float64), atol=1e-12)


def test_horizon_row_rolled_camera_depends_on_column():
    phi = math.radians(10.0)
    n = torch.tensor([[math.sin(phi), -math.cos(phi), 0.]], dtype=torch.float64)
    # n.(x, y, 1) = 0 -> y = tan(phi) x -> v = cy + fy tan(phi) (u - cx) / fx
    for u in (0.0, 15.5, 31.0):
        v = horizon_row(n, K, u=u)
        assert v.item() == pytest.approx(7.5 + math.tan(phi) * (u - 15.5), abs=1e-12)
    # A normal along the optical axis has no vanishing line.
    assert torch.isnan(horizon_row(torch.tensor([[0., 0., -1.]]), K.float()))[0]


def test_road_heights_skip_depth_holes():
    """A measured depth map with holes (0) still gives the exact height."""
    from mmext.synthetic.road_scene import kitti_like_intrinsics
    W, H = 160, 48
    K = torch.from_numpy(kitti_like_intrinsics((W, H)))
    v = torch.arange(H, dtype=torch.float64)[:, None].expand(H, W)
    road = v > K[1, 2] + 2
    depth = torch.where(road, 1.65 * K[1, 1] / (v - K[1, 2]).clamp_min(1e-3),
                        torch.full_like(v, 50.0))
    holes = torch.rand(H, W, generator=torch.Generator().manual_seed(0)) < 0.3
    sparse = torch.where(holes, torch.zeros_like(depth), depth)
    out = road_heights(sparse[None, None], K[None], road[None])
    assert out['height'].item() == pytest.approx(1.65, rel=1e-9)
    assert 0 < out['count'].item() < road.sum().item()      # only pixels with support


def test_road_plane_heights_on_sparse_depth_with_outliers():
    """Velodyne-like rows of a level road 1.65 m below (and 3 deg pitch), plus mislabelled
    'road' points on an object: RANSAC + PCA recovers the height; neighbour normals can't."""
    from mmext.geometry import road_plane_heights
    from mmext.synthetic.road_scene import kitti_like_intrinsics
    W, H = 200, 60
    K = torch.from_numpy(kitti_like_intrinsics((W, H)))
    rays = pixel_rays(K[None], (H, W))[0]
    for pitch in (0.0, 3.0):
        t = math.radians(pitch)
        n = torch.tensor([0.0, -math.cos(t), -math.sin(t)], dtype=torch.float64)
        denom = -(rays @ n)                          # depth z with n.(z d) = -1.65
        depth = torch.where(denom > 1e-3, 1.65 / denom.clamp_min(1e-3), torch.zeros(()))
        road = denom > 0.02
        sparse = torch.zeros_like(depth)
        sparse[::4] = depth[::4]                     # every 4th row only
        sparse[H - 12:H - 4, 90:110] = 3.0           # an object wrongly inside the mask
        out = road_plane_heights(sparse[None], K[None], road[None], threshold=0.02,
                                 generator=torch.Generator().manual_seed(0))
        assert out['height'].item() == pytest.approx(1.65, rel=1e-6), pitch
        assert torch.allclose(out['normal'][0], n, atol=1e-6)
        # the neighbour normals only find the dense mislabelled block: a wrong answer
        wrong = road_heights(sparse[None], K[None], road[None])['height'].item()
        assert not abs(wrong - 1.65) < 0.5


def test_camera_heights_dispatch():
    from mmext.geometry import camera_heights
    from mmext.synthetic.road_scene import kitti_like_intrinsics
    W, H = 160, 48
    K = torch.from_numpy(kitti_like_intrinsics((W, H)))[None]
    v = torch.arange(H, dtype=torch.float64)[:, None].expand(H, W)
    road = v > K[0, 1, 2] + 2
    depth = torch.where(road, 1.65 * K[0, 1, 1] / (v - K[0, 1, 2]).clamp_min(1e-3),
                        torch.full_like(v, 50.0))[None, None]
    for method in ('normals', 'plane'):
        h = camera_heights(depth * 2, K, road[None], method, threshold=0.02)
        assert h.item() == pytest.approx(3.3, rel=1e-6), method
    with pytest.raises(ValueError, match='normals'):
        camera_heights(depth, K, road[None], 'lidar')
