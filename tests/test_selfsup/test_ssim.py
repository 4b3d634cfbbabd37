import numpy as np
import torch

from mmext.registry import MODELS
from mmext.selfsup.losses import SSIM, ssim_dissimilarity


def _reflect(i, n):
    """Index of a one-pixel reflection pad (``-1 -> 1``, ``n -> n - 2``)."""
    return -i if i < 0 else (2 * n - 2 - i if i >= n else i)


def ssim_loop(x, y, c1=0.01 ** 2, c2=0.03 ** 2):
    """Direct per-pixel loop of monodepth2's SSIM dissimilarity (numpy, float64)."""
    B, C, H, W = x.shape
    out = np.zeros_like(x)
    for b in range(B):
        for c in range(C):
            for i in range(H):
                for j in range(W):
                    px = np.array([x[b, c, _reflect(i + di, H), _reflect(j + dj, W)]
                                   for di in (-1, 0, 1) for dj in (-1, 0, 1)])
                    py = np.array([y[b, c, _reflect(i + di, H), _reflect(j + dj, W)]
                                   for di in (-1, 0, 1) for dj in (-1, 0, 1)])
                    mx, my = px.mean(), py.mean()
                    vx, vy = ((px - mx) ** 2).mean(), ((py - my) ** 2).mean()
                    cxy = ((px - mx) * (py - my)).mean()
                    s = ((2 * mx * my + c1) * (2 * cxy + c2)
                         / ((mx ** 2 + my ** 2 + c1) * (vx + vy + c2)))
                    out[b, c, i, j] = np.clip((1 - s) / 2, 0, 1)
    return out


def test_ssim_matches_loop_reference():
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(2, 3, 5, 6, generator=gen, dtype=torch.float64)
    y = (x + 0.2 * torch.rand(2, 3, 5, 6, generator=gen, dtype=torch.float64)).clamp(0, 1)
    got = SSIM()(x, y)
    assert got.shape == (2, 3, 5, 6)
    ref = ssim_loop(x.numpy(), y.numpy())
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-10, atol=1e-12)
    assert got.mean() > 0.01                     # a real difference, not a trivial zero


def test_ssim_identity_zero_and_constant_images():
    x = torch.rand(1, 3, 4, 4, generator=torch.Generator().manual_seed(1))
    assert torch.allclose(ssim_dissimilarity(x, x), torch.zeros_like(x), atol=1e-6)
    # Constant images a vs b: SSIM = (2ab + C1) / (a^2 + b^2 + C1).
    a = torch.full((1, 1, 3, 3), 0.2, dtype=torch.float64)
    b = torch.full((1, 1, 3, 3), 0.6, dtype=torch.float64)
    s = (2 * 0.2 * 0.6 + 1e-4) / (0.04 + 0.36 + 1e-4)
    assert torch.allclose(ssim_dissimilarity(a, b), torch.full_like(a, (1 - s) / 2))


def test_ssim_is_registered():
    assert isinstance(MODELS.build(dict(type='SSIM')), SSIM)
