"""mmext's FUMET losses, weights and camera-height evidence against FUMET's code (restated in
tests/_helpers/fumet_reference.py) on rendered roads and cars: same inputs, same numbers."""
import math

import pytest
import torch

from mmext.geometry import backproject, fumet_road_heights, pixel_rays
from mmext.selfsup.losses import (CameraHeightLoss, ObjectHeightLoss,
                                  PhotometricReprojectionLoss, fumet_object_height_loss)
from mmext.selfsup.models import WeightSchedule
from mmext.selfsup.scale_evidence import fumet_frame_camera_heights
from tests._helpers import fumet_reference as ref

H, W = 48, 160
K = torch.tensor([[0.58 * W, 0., 0.5 * W], [0., 1.92 * H, 0.5 * H], [0., 0., 1.]],
                 dtype=torch.float64)
CLASSES = ('car', 'pedestrian')
PRIORS = dict(car=(1.5, 0.05), pedestrian=(1.7, 0.08))


def scene(cam_h=1.65, cars=((-2.0, 8.0, 1.5, 1.8), (3.0, 14.0, 1.4, 1.7)), noise=0.0,
          seed=0):
    """A level road ``cam_h`` below the camera with fronto-parallel cars standing on it.

    ``cars``: ``(x_centre, depth, height, width)`` each. Returns depth ``(1, 1, H, W)``, road
    ``(1, H, W)`` bool, instance map ``(1, H, W)`` and the cars' heights.
    """
    rays = pixel_rays(K[None], (H, W))[0]
    x, y = rays[..., 0], rays[..., 1]
    road = y > 0.03
    depth = torch.where(road, cam_h / y.clamp_min(1e-9), torch.full_like(y, 40.0))
    inst = torch.zeros(H, W, dtype=torch.long)
    for k, (xc, z, h, w) in enumerate(sorted(cars, key=lambda c: -c[1])):
        X, Y = x * z, y * z
        m = (X - xc).abs() <= w / 2
        m &= (Y <= cam_h) & (Y >= cam_h - h)
        depth = torch.where(m, torch.full_like(depth, z), depth)
        inst[m] = k + 1
    road &= inst == 0
    if noise:
        g = torch.Generator().manual_seed(seed)
        depth = depth * (1 + noise * torch.randn(depth.shape, generator=g, dtype=depth.dtype))
    heights = torch.tensor([c[2] for c in sorted(cars, key=lambda c: -c[1])],
                           dtype=torch.float64)
    return depth[None, None], road[None], inst[None], heights


def test_camera_height_loss_equals_fumet_all_pixels():
    d0, r0, _, _ = scene(noise=0.02, seed=1)
    d1, r1, _, _ = scene(noise=0.02, seed=2)
    depth = torch.cat([d0 * 1.2, d1 * 0.9]).requires_grad_(True)
    road = torch.cat([r0, r1])
    loss = CameraHeightLoss(loss_weight=1.0)(depth, K, road, 1.65)
    expect, _, _ = ref.cam_height_loss(backproject(depth, K), road.long(), 1.65)
    assert loss.item() == pytest.approx(expect.item(), rel=1e-12)
    loss.backward()
    # every road pixel (and its neighbours) is pulled, not the median pixel's three
    touched = int((depth.grad[:, 0] != 0).sum())
    assert touched > 0.9 * int(road.sum())
    d = depth.detach().clone().requires_grad_(True)
    CameraHeightLoss(loss_weight=1.0, form='median')(d, K, road, 1.65).backward()
    assert int((d.grad != 0).sum()) <= 2 * 3 * 3     # median form: a few pixels per image


def test_camera_height_loss_drops_images_without_road():
    d, r, _, _ = scene(noise=0.01)
    tiny = torch.zeros_like(r)
    tiny[0, 40, 10:20] = True                        # 10 pixels < 1% of 7680
    loss = CameraHeightLoss(loss_weight=1.0)
    both = loss(torch.cat([d * 2, d]), K, torch.cat([r, tiny]), 1.65)
    alone = loss(d * 2, K, r, 1.65)
    assert both.item() == pytest.approx(alone.item(), rel=1e-12)
    x = d.clone().requires_grad_(True)
    zero = loss(x, K, tiny, 1.65)
    zero.backward()
    assert zero.item() == 0 and torch.equal(x.grad, torch.zeros_like(x))


def test_object_height_loss_equals_fumet_per_pixel():
    d0, _, i0, h0 = scene(noise=0.03, seed=3)
    d1, _, i1, h1 = scene(cars=((0.5, 10.0, 1.6, 1.8), ), noise=0.03, seed=4)
    d2, _, i2, _ = scene(cars=())
    depth = torch.cat([d0, d1 * 1.1, d2])
    imap = torch.cat([i0, i1, i2])
    targets = [h0, h1, torch.zeros(0, dtype=torch.float64)]
    loss = fumet_object_height_loss(depth, K, imap, targets)
    # FUMET: instances flattened over the batch, depth repeated per instance
    masks = torch.stack([imap[b] == k + 1 for b, t in enumerate(targets)
                         for k in range(len(t))])
    rep = torch.stack([depth[b, 0] for b, t in enumerate(targets) for _ in range(len(t))])
    expect = ref.rough_loss(rep, masks, torch.cat(targets), K[1, 1].item(), 2)
    assert loss.item() == pytest.approx(expect.item(), rel=1e-12)
    # through the registered loss: own heights from the files (height_source='instance')
    labels = [torch.zeros(2, dtype=torch.long), torch.zeros(1, dtype=torch.long),
              torch.zeros(0, dtype=torch.long)]
    mod = ObjectHeightLoss(PRIORS, CLASSES, height_source='instance')
    got = mod(depth, K, imap, labels, instance_heights=targets)
    assert got.item() == pytest.approx(expect.item(), rel=1e-12)
    # pixel height is max - min (no +1): an exact car of 1.5 m at 8 m gives a small residual
    # of one pixel's worth, not zero
    clean, _, ic, hc = scene(cars=((0.0, 8.0, 1.5, 1.8), ))
    one = fumet_object_height_loss(clean, K, ic, [hc])
    rows = (ic[0] == 1).any(1).nonzero()
    h_pix = float(rows.max() - rows.min())
    assert one.item() == pytest.approx(abs(1.5 - h_pix * 8.0 / K[1, 1].item()), rel=1e-9)


def test_object_height_sources():
    d, _, imap, h = scene()
    labels = [torch.tensor([0, 1])]
    own = [torch.tensor([1.45, float('nan')])]
    t = ObjectHeightLoss(PRIORS, CLASSES).instance_targets(labels, own)[0]
    assert t[0].item() == pytest.approx(1.45) and t[1].item() == pytest.approx(1.7)
    t = ObjectHeightLoss(PRIORS, CLASSES, height_source='instance').instance_targets(labels,
                                                                                      own)[0]
    assert t[0].item() == pytest.approx(1.45) and math.isnan(t[1].item())
    t = ObjectHeightLoss(PRIORS, CLASSES, height_source='prior').instance_targets(labels, own)
    assert t[0].tolist() == pytest.approx([1.5, 1.7])
    with pytest.raises(ValueError, match='heights'):
        ObjectHeightLoss(PRIORS, CLASSES, height_source='instance').instance_targets(labels,
                                                                                     None)
    with pytest.warns(UserWarning, match='class-mean'):
        ObjectHeightLoss(PRIORS, CLASSES).instance_targets(labels, None)


def test_collected_camera_heights_equal_fumet():
    d0, r0, i0, h0 = scene(noise=0.01, seed=5)
    d1, r1, i1, h1 = scene(cars=((1.0, 9.0, 1.6, 1.8), ), noise=0.01, seed=6)
    depth = torch.cat([d0 * 0.7, d1 * 1.4])
    road, imap = torch.cat([r0, r1]), torch.cat([i0, i1])
    info = fumet_road_heights(depth, K, road)
    got = fumet_frame_camera_heights(info['points'], info['height'], info['normal'], imap,
                                     [h0, h1])
    pts = backproject(depth, K)
    _, heights, downs = ref.cam_height_loss(pts, road.long(), 1.65)
    masks = torch.stack([imap[b] == k + 1 for b, t in enumerate([h0, h1])
                         for k in range(len(t))])
    expect = ref.scaled_cam_heights(masks, [2, 1], downs, pts, heights, torch.cat([h0, h1]))
    assert torch.allclose(got, expect, rtol=1e-10)
    # metric: the scale cancels, the heights come back near 1.65 m whatever the depth scale
    assert got.tolist() == pytest.approx([1.65, 1.65], rel=0.1)


@pytest.mark.parametrize('epoch', range(0, 26))
def test_weight_schedules_equal_fumet(epoch):
    fine, rough = ref.gradual_rates(epoch)
    assert WeightSchedule('fumet_fine')(epoch) == pytest.approx(fine, abs=1e-15)
    assert WeightSchedule('fumet_rough')(epoch) == pytest.approx(rough, abs=1e-15)
    f3, r3 = ref.gradual_rates(epoch, keep=3, limit=12, rough_min=0.01)
    assert WeightSchedule('fumet_fine', keep_epoch=3, limit_epoch=12)(epoch) == \
        pytest.approx(f3, abs=1e-15)
    assert WeightSchedule('fumet_rough', keep_epoch=3, limit_epoch=12,
                          min_value=0.01)(epoch) == pytest.approx(r3, abs=1e-15)


def test_schedule_numbers_of_the_issue():
    fine = WeightSchedule('fumet_fine')
    assert [round(fine(e), 2) for e in (0, 1, 5, 10, 19, 20)] == [0.0, 0.23, 0.59, 0.79,
                                                                   0.98, 1.0]
    rough = WeightSchedule('fumet_rough')
    assert [round(rough(e), 2) for e in (0, 1, 5, 10)] == [1.0, 0.77, 0.41, 0.21]
    assert rough(20) == 0.005


def test_road_exempt_automask_equals_fumet():
    g = torch.Generator().manual_seed(0)
    B = 3
    target = torch.rand(B, 3, 12, 16, generator=g)
    warped = [torch.rand(B, 3, 12, 16, generator=g) for _ in range(2)]
    sources = [torch.rand(B, 3, 12, 16, generator=g) for _ in range(2)]
    # image 1: sources equal the target (a static camera: identity wins everywhere)
    for s in sources:
        s[1] = target[1]
    road = torch.zeros(B, 12, 16, dtype=torch.bool)
    road[:, 6:] = True
    loss = PhotometricReprojectionLoss(road_exempt=True, identity_noise=0.0)
    got = loss(target, warped, sources, road_mask=road)
    from mmext.selfsup.losses import photometric_error
    reproj = torch.cat([photometric_error(w, target) for w in warped], 1)
    ident = torch.cat([photometric_error(s, target) for s in sources], 1)
    expect = ref.road_exempt_min(reproj, ident, road).mean()
    assert got.item() == pytest.approx(expect.item(), rel=1e-6)
    plain = PhotometricReprojectionLoss(identity_noise=0.0)(target, warped, sources)
    assert got.item() != pytest.approx(plain.item(), rel=1e-6)
    with pytest.raises(ValueError, match='road_mask'):
        loss(target, warped, sources)


def test_outlier_filter_equals_fumet():
    """A pitched camera, cars of the right height and one labelled far too tall."""
    from mmext.selfsup.objects import fumet_outlier_keep
    d0, r0, i0, h0 = scene(noise=0.005, seed=7)
    d1, r1, i1, h1 = scene(cars=((0.5, 10.0, 1.6, 1.8), (-3.0, 6.0, 1.5, 1.8)), noise=0.005,
                           seed=8)
    depth, road, imap = torch.cat([d0, d1]), torch.cat([r0, r1]), torch.cat([i0, i1])
    Kb = K.expand(2, 3, 3)
    pts = backproject(depth, K)
    heights = [h0.clone(), h1.clone()]
    heights[1][0] = 2.5                       # labelled 2.5 m, really 1.5 m: an outlier
    masks = torch.stack([imap[b] == k + 1 for b, t in enumerate(heights)
                         for k in range(len(t))])
    ratios = ref.outlier_ratios(pts, road.long(), masks, [2, 2], Kb)
    expect = ((ratios * 1.65 - torch.cat(heights)).abs() / torch.cat(heights) < 0.2).tolist()
    got, got_ratios = fumet_outlier_keep(pts, road, imap, heights, Kb, 1.65, 0.2,
                                         return_ratios=True)
    assert torch.allclose(torch.cat(got_ratios), ratios, rtol=1e-9)
    assert torch.cat(got).tolist() == expect
    assert expect == [True, True, False, True]


def test_remove_outliers_off_keeps_objects_a_wrong_target_would_drop():
    """``object_filter.remove_outliers=False`` (FUMET without ``--remove_outliers``): no
    implied-height test; with it, a camera-height target 50% too high drops every car."""
    from mmengine.structures import BaseDataElement
    from mmext.selfsup.scale_evidence import frame_scale_evidence
    depth, road, imap, heights = scene(noise=0.002, seed=3)
    sample = BaseDataElement(instance_map=imap[0], instance_labels=torch.zeros(2).long(),
                             instance_heights=heights.float(), road_mask=road[0])
    loss = ObjectHeightLoss(height_priors=PRIORS, classes=CLASSES, form='per_pixel',
                            height_source='instance')
    cfg = dict(min_area=0, border_margin=0, max_rel_error=0.2, horizon='fumet')
    kept = {}
    for target in (1.65, 2.5):
        for remove in (True, False):
            out = frame_scale_evidence(depth.float(), K[None].float(), [sample], None, loss,
                                       dict(cfg, remove_outliers=remove),
                                       camera_height=torch.tensor(target))
            kept[target, remove] = out['counts']['kept']
    assert kept == {(1.65, True): 2, (1.65, False): 2, (2.5, True): 0, (2.5, False): 2}
