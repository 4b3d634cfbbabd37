import numpy as np
import pytest
import torch

from mmext.geometry import (as_batched_K, backproject, crop_intrinsics, pixel_rays,
                            scale_intrinsics)

K = torch.tensor([[600., 0., 319.5], [0., 580., 239.5], [0., 0., 1.]])


def test_backproject_matches_formula():
    depth = torch.rand(2, 4, 5) + 0.5
    pts = backproject(depth, K)
    v, u = 3, 2
    Z = depth[1, v, u]
    expected = torch.stack([(u - 319.5) * Z / 600., (v - 239.5) * Z / 580., Z])
    assert torch.allclose(pts[1, v, u], expected)
    assert pts.shape == (2, 4, 5, 3)
    assert torch.allclose(backproject(depth.unsqueeze(1), K), pts)


def test_scale_intrinsics_keeps_rays_of_resized_pixels():
    # Pixel centres of a 2x downscaled image (align_corners=False) see the same rays as the
    # points (2u' + 0.5, 2v' + 0.5) of the original.
    K2 = scale_intrinsics(K, 0.5, 0.5)
    rays_small = pixel_rays(K2[None], (3, 4))[0]
    u, v = torch.tensor(1.), torch.tensor(2.)
    uo, vo = 2 * u + 0.5, 2 * v + 0.5
    expected = torch.stack([(uo - 319.5) / 600., (vo - 239.5) / 580., torch.tensor(1.)])
    assert torch.allclose(rays_small[2, 1], expected, atol=1e-6)
    assert K2[0, 0] == 300. and K2[1, 1] == 290.


def test_crop_intrinsics_shifts_principal_point():
    Kc = crop_intrinsics(K, 10, 20)
    assert torch.allclose(pixel_rays(Kc[None], (30, 30))[0, 5, 7],
                          pixel_rays(K[None], (60, 60))[0, 25, 17])


def test_as_batched_K_rejects_bad_shape():
    with pytest.raises(ValueError, match='K must have shape'):
        as_batched_K(np.eye(4), 2)
    assert as_batched_K(K, 3).shape == (3, 3, 3)
