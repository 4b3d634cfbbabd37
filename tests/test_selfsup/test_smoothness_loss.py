import math

import numpy as np
import torch

from mmext.registry import MODELS
from mmext.selfsup.losses import EdgeAwareSmoothnessLoss, edge_aware_smoothness


def smooth_loop(disp, img):
    """Loop version of monodepth2's get_smooth_loss (numpy)."""
    B, _, H, W = disp.shape
    gx, gy = [], []
    for b in range(B):
        for i in range(H):
            for j in range(W - 1):
                w = math.exp(-np.abs(img[b, :, i, j] - img[b, :, i, j + 1]).mean())
                gx.append(abs(disp[b, 0, i, j] - disp[b, 0, i, j + 1]) * w)
        for i in range(H - 1):
            for j in range(W):
                w = math.exp(-np.abs(img[b, :, i, j] - img[b, :, i + 1, j]).mean())
                gy.append(abs(disp[b, 0, i, j] - disp[b, 0, i + 1, j]) * w)
    return np.mean(gx) + np.mean(gy)


def test_matches_loop_reference_with_mean_normalisation():
    gen = torch.Generator().manual_seed(0)
    disp = torch.rand(2, 1, 4, 5, generator=gen, dtype=torch.float64) + 0.1
    img = torch.rand(2, 3, 4, 5, generator=gen, dtype=torch.float64)
    norm = disp / disp.mean(dim=(2, 3), keepdim=True)
    ref = smooth_loop(norm.numpy(), img.numpy())
    loss = EdgeAwareSmoothnessLoss(loss_weight=0.5)(disp, img)
    assert abs(loss.item() - 0.5 * ref) < 1e-7               # 1e-7 mean offset of monodepth2
    raw = EdgeAwareSmoothnessLoss(normalize=False, loss_weight=1.0)(disp, img)
    assert abs(raw.item() - smooth_loop(disp.numpy(), img.numpy())) < 1e-12


def test_concrete_numbers_constant_and_edge():
    disp = torch.tensor([[[[1., 3.], [1., 3.]]]], dtype=torch.float64)
    flat = torch.zeros(1, 3, 2, 2, dtype=torch.float64)
    # Normalised disparity [[0.5, 1.5], [0.5, 1.5]]: x-steps 1 (weight 1), y-steps 0.
    loss = EdgeAwareSmoothnessLoss(loss_weight=1.0)
    assert abs(loss(disp, flat).item() - 1.0) < 1e-6
    # An image edge of 1 (all channels) where the disparity jumps: weight exp(-1).
    edge = flat.clone()
    edge[..., 1] = 1.0
    assert abs(loss(disp, edge).item() - math.exp(-1)) < 1e-6
    # Constant disparity is perfectly smooth; the default weight is monodepth2's 1e-3.
    assert EdgeAwareSmoothnessLoss()(torch.full((1, 1, 3, 3), 7.0), torch.rand(1, 3, 3, 3)) == 0
    assert abs(EdgeAwareSmoothnessLoss()(disp, flat).item() - 1e-3) < 1e-9
    assert edge_aware_smoothness(disp, flat).item() == 2.0      # raw: x-steps of 2, no y


def test_registered_and_gradient():
    loss = MODELS.build(dict(type='EdgeAwareSmoothnessLoss', loss_weight=1.0))
    assert loss.loss_name == 'loss_smooth'
    disp = torch.rand(1, 1, 4, 4, requires_grad=True)
    loss(disp, torch.rand(1, 3, 4, 4)).backward()
    assert torch.isfinite(disp.grad).all() and disp.grad.abs().sum() > 0
