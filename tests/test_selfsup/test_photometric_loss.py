import pytest
import torch

from mmext.registry import MODELS
from mmext.selfsup.losses import PhotometricReprojectionLoss, photometric_error, ssim_dissimilarity


def _img(values):
    """(1, 3, 2, 2) image with every channel equal to the 2x2 ``values``."""
    return torch.tensor(values, dtype=torch.float64).expand(1, 3, 2, 2).clone()


TARGET = _img([[0., 0.], [0., 0.]])
WARPED = [_img([[0.1, 0.1], [0.1, 0.1]]), _img([[0.05, 0.3], [0.3, 0.3]])]
SOURCES = [_img([[0.2, 0.2], [0.2, 0.02]]), _img([[0.5, 0.5], [0.5, 0.5]])]


def test_photometric_error_alpha_weighting():
    gen = torch.Generator().manual_seed(0)
    a = torch.rand(2, 3, 5, 5, generator=gen, dtype=torch.float64)
    b = torch.rand(2, 3, 5, 5, generator=gen, dtype=torch.float64)
    l1 = (a - b).abs().mean(1, keepdim=True)
    ssim = ssim_dissimilarity(a, b).mean(1, keepdim=True)
    assert torch.allclose(photometric_error(a, b, alpha=0.0), l1)
    assert torch.allclose(photometric_error(a, b, alpha=1.0), ssim)
    assert torch.allclose(photometric_error(a, b), 0.85 * ssim + 0.15 * l1)
    assert photometric_error(a, b).shape == (2, 1, 5, 5)
    assert torch.equal(photometric_error(a, a), torch.zeros(2, 1, 5, 5, dtype=torch.float64))


def test_min_reprojection_without_automask():
    loss = PhotometricReprojectionLoss(alpha=0.0, automask=False)
    # Per-pixel min over the sources: [[0.05, 0.1], [0.1, 0.1]].
    val, mask = loss(TARGET, WARPED, return_mask=True)
    assert val.item() == pytest.approx(0.0875, abs=1e-12)
    assert mask.all() and mask.shape == (1, 1, 2, 2)
    # A source warped perfectly onto the target gives a zero loss.
    assert loss(TARGET, [WARPED[0], TARGET.clone()]).item() == 0
    # Mean over sources instead: [[0.075, 0.2], [0.2, 0.2]].
    avg = PhotometricReprojectionLoss(alpha=0.0, automask=False, min_reprojection=False)
    assert avg(TARGET, WARPED).item() == pytest.approx(0.16875, abs=1e-12)


def test_automask_masks_static_pixels():
    loss = PhotometricReprojectionLoss(alpha=0.0, identity_noise=0.0, loss_weight=2.0)
    val, mask = loss(TARGET, WARPED, SOURCES, return_mask=True)
    # Pixel (1, 1): the unwarped first source (0.02) beats every warp (>= 0.1) -> masked.
    assert mask.tolist() == [[[[True, True], [True, False]]]]
    assert val.item() == pytest.approx(2.0 * (0.05 + 0.1 + 0.1 + 0.02) / 4, abs=1e-12)
    # The identity error carries no gradient; masked pixels do not pull on the warp.
    w = [x.clone().requires_grad_(True) for x in WARPED]
    loss(TARGET, w, SOURCES).backward()
    assert w[0].grad[0, :, 1, 1].abs().sum() == 0 and w[0].grad[0, :, 0, 1].abs().sum() > 0
    # Averaged reprojection: identity averaged too ([[0.35]*3, 0.26]) vs [[0.075, 0.2]...].
    avg = PhotometricReprojectionLoss(alpha=0.0, identity_noise=0.0, min_reprojection=False)
    v2, m2 = avg(TARGET, WARPED, SOURCES, return_mask=True)
    assert m2.all() and v2.item() == pytest.approx(0.16875, abs=1e-12)


def test_automask_noise_is_tiny_and_sources_required():
    torch.manual_seed(0)
    loss = PhotometricReprojectionLoss(alpha=0.0)
    static = [TARGET.clone(), TARGET.clone()]                 # identity error 0 everywhere
    val, mask = loss(TARGET, WARPED, static, return_mask=True)
    assert not mask.any() and abs(val.item()) < 1e-4
    with pytest.raises(ValueError, match='unwarped sources'):
        loss(TARGET, WARPED)


def test_registered_with_ssim_default():
    loss = MODELS.build(dict(type='PhotometricReprojectionLoss', automask=False))
    assert loss.loss_name == 'loss_photometric' and loss.alpha == 0.85
    gen = torch.Generator().manual_seed(3)
    t = torch.rand(1, 3, 4, 4, generator=gen, dtype=torch.float64)
    w = torch.rand(1, 3, 4, 4, generator=gen, dtype=torch.float64)
    assert loss(t, [w]).item() == pytest.approx(photometric_error(w, t).mean().item())
