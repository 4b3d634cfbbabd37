import torch

from mmext.geometry import fit_plane_lstsq, fit_plane_ransac, mask_ring, signed_height


def _plane_points(n, d, num, gen, noise=0.0):
    n = torch.tensor(n, dtype=torch.float64)
    n = n / n.norm()
    xy = (torch.rand(num, 2, generator=gen, dtype=torch.float64) - 0.5) * 0.3
    # Solve n.p + d = 0 for z.
    z = -(d + n[0] * xy[:, 0] + n[1] * xy[:, 1]) / n[2]
    p = torch.cat([xy, z[:, None]], 1)
    return p + noise * torch.randn(p.shape, generator=gen, dtype=torch.float64), n


def test_lstsq_recovers_tilted_plane_oriented_to_camera():
    gen = torch.Generator().manual_seed(0)
    p, n = _plane_points([0.05, -0.03, -1.0], 0.36, 500, gen, noise=1e-4)
    plane = fit_plane_lstsq(p[None], torch.ones(1, 500))
    assert plane[0, 3] > 0                       # camera side positive
    assert torch.allclose(plane[0, :3], n, atol=2e-3)
    assert abs(plane[0, 3] - 0.36) < 1e-3
    assert signed_height(torch.zeros(1, 1, 3, dtype=torch.float64), plane)[0, 0] > 0


def test_lstsq_ignores_zero_weights_and_is_finite_when_empty():
    gen = torch.Generator().manual_seed(1)
    p, n = _plane_points([0., 0., -1.], 0.4, 200, gen)
    p[:50, 2] = 0.1                              # garbage with weight 0
    w = torch.ones(1, 200)
    w[0, :50] = 0
    plane = fit_plane_lstsq(p[None], w)
    assert torch.allclose(plane[0], torch.tensor([0., 0., -1., 0.4], dtype=torch.float64),
                          atol=1e-9)
    pts = p[None].clone().requires_grad_(True)
    empty = fit_plane_lstsq(pts, torch.zeros(1, 200))
    empty.sum().backward()
    assert torch.isfinite(empty).all() and torch.isfinite(pts.grad).all()


def test_ransac_rejects_outliers_where_lstsq_fails():
    gen = torch.Generator().manual_seed(2)
    p, n = _plane_points([0.02, 0.04, -1.0], 0.36, 1000, gen, noise=2e-4)
    p[:300, 2] -= 0.03                            # 30% of points 3 cm above the table (food)
    w = torch.ones(1, 1000)
    ls = fit_plane_lstsq(p[None], w)
    rs = fit_plane_ransac(p[None], w, iterations=100, threshold=2e-3, generator=gen)
    assert (ls[0, :3] - n).norm() > 1e-2 or abs(ls[0, 3] - 0.36) > 5e-3
    assert (rs[0, :3] - n).norm() < 3e-3
    assert abs(rs[0, 3] - 0.36) < 1e-3


def test_mask_ring_geometry():
    mask = torch.zeros(1, 40, 40, dtype=torch.bool)
    mask[0, 15:25, 15:25] = True
    ring = mask_ring(mask, inner=2, width=3)
    # Chebyshev distance to the square in (2, 5].
    assert ring[0, 20, 27] and ring[0, 20, 29] and not ring[0, 20, 26] and not ring[0, 20, 30]
    assert ring[0, 10, 10] and not ring[0, 9, 9]
    assert not (ring & mask).any()
    assert not mask_ring(torch.zeros(1, 8, 8), 1, 2).any()
