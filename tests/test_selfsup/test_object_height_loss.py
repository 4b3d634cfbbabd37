import math

import pytest
import torch

from mmext.registry import MODELS
from mmext.selfsup.losses import ObjectHeightLoss, frame_scale_factors, object_scale_factors

H, W = 20, 30
K = torch.tensor([[50., 0., 14.5], [0., 50., 9.5], [0., 0., 1.]], dtype=torch.float64)
CLASSES = ('car', 'pedestrian', 'tree')
PRIORS = {'car': (1.5, 0.2), 'pedestrian': (1.7, 0.1)}     # no prior for 'tree'


def scene(box_depth=8.0):
    """One image: background at 20 m and a car (id 1) of 10 rows x 8 cols at ``box_depth``."""
    depth = torch.full((1, 1, H, W), 20.0, dtype=torch.float64)
    imap = torch.zeros(1, H, W, dtype=torch.long)
    depth[0, 0, 5:15, 10:18] = box_depth
    imap[0, 5:15, 10:18] = 1
    return depth, imap


def test_bbox_loss_by_hand_and_std_normalisation():
    depth, imap = scene(8.0)
    # h_pix = 10, D = 8, fy = 50 -> 10 * 8 / 50 = 1.6 m vs 1.5 m.
    loss = ObjectHeightLoss(PRIORS, CLASSES, form='representative', loss_weight=2.0)
    assert loss(depth, K, imap, [torch.tensor([0])]).item() == pytest.approx(2 * 0.1, abs=1e-12)
    rec = loss.records(depth, K, imap, [torch.tensor([0])])
    assert rec['pixel_height'].tolist() == [10.0] and rec['depth'].tolist() == [8.0]
    assert rec['metric_height'].item() == pytest.approx(1.6)
    assert rec['batch_idx'].tolist() == [0] and rec['label'].tolist() == [0]
    assert (rec['prior_mean'].item(), rec['prior_std'].item()) == (1.5, 0.2)
    std = ObjectHeightLoss(PRIORS, CLASSES, form='representative', normalize_by_std=True)
    assert std(depth, K, imap, [torch.tensor([0])]).item() == pytest.approx(0.1 / 0.2)


def test_depth_reductions():
    depth, imap = scene()
    depth[0, 0, 5:15, 10:18] = (5 + 0.05 * torch.arange(80, dtype=torch.float64)).view(10, 8)
    labels = [torch.tensor([0])]
    expect = {'mean': 5 + 0.05 * 39.5, 'median': 5 + 0.05 * 39,      # torch: lower median
              'quantile': 5 + 0.05 * 0.25 * 79}
    for red, D in expect.items():
        loss = ObjectHeightLoss(PRIORS, CLASSES, form='representative', depth_reduction=red)
        assert loss(depth, K, imap, labels).item() == pytest.approx(abs(1.5 - 10 * D / 50))
    q90 = ObjectHeightLoss(PRIORS, CLASSES, form='representative', quantile=0.9)
    assert q90.records(depth, K, imap, labels)['depth'].item() == pytest.approx(
        5 + 0.05 * 0.9 * 79)


def test_silhouette_equals_bbox_on_level_road_and_rolled_road_by_hand():
    depth, imap = scene(8.0)
    labels = [torch.tensor([0])]
    bbox = ObjectHeightLoss(PRIORS, CLASSES, form='representative', height_mode='bbox')
    sil = ObjectHeightLoss(PRIORS, CLASSES, form='representative', height_mode='silhouette')
    level = torch.tensor([[0., -1., 0.]], dtype=torch.float64)
    h_bbox = bbox.records(depth, K, imap, labels)['metric_height']
    h_sil = sil.records(depth, K, imap, labels, road_normal=level)['metric_height']
    assert torch.allclose(h_sil, h_bbox) and h_bbox.item() == pytest.approx(1.6)
    # Road rolled by phi: up = (sin phi, -cos phi, 0); a 10 x 8 px box at 8 m spans
    # D (cos phi * 10 / fy + sin phi * 8 / fx) along it (pixel footprints included).
    phi = math.radians(10)
    rolled = torch.tensor([[math.sin(phi), -math.cos(phi), 0.]], dtype=torch.float64)
    h = sil.records(depth, K, imap, labels, road_normal=rolled)['metric_height'].item()
    assert h == pytest.approx(8 * (math.cos(phi) * 10 + math.sin(phi) * 8) / 50)
    # A one-column pole: the cos factor plus one pixel's width.
    pole = torch.zeros(1, H, W, dtype=torch.long)
    pole[0, 5:15, 12] = 1
    h = sil.records(depth, K, pole, labels, road_normal=rolled)['metric_height'].item()
    assert h == pytest.approx(8 * (math.cos(phi) * 10 + math.sin(phi)) / 50)
    # A NaN normal (no road seen) falls back to a level road; None is an error.
    nan = torch.full((1, 3), float('nan'), dtype=torch.float64)
    assert sil.records(depth, K, imap, labels, road_normal=nan)['metric_height'].item() == \
        pytest.approx(1.6)
    with pytest.raises(ValueError, match='road_normal'):
        sil(depth, K, imap, labels)


def test_ignored_labels_keep_masks_and_empty_batch():
    depth, imap = scene(8.0)
    imap[0, 16:19, 2:5] = 2                                  # pedestrian: 3 px * 8 m / 50
    imap[0, 0:4, 20:24] = 3                                  # unknown label (-1)
    imap[0, 0:4, 25:29] = 4                                  # 'tree': no prior
    depth[0, 0, 16:19, 2:5] = 8.0
    labels = [torch.tensor([0, 1, -1, 2])]
    loss = ObjectHeightLoss(PRIORS, CLASSES, form='representative')
    rec = loss.records(depth, K, imap, labels)
    assert rec['instance_idx'].tolist() == [0, 1] and rec['label'].tolist() == [0, 1]
    both = (0.1 + abs(1.7 - 3 * 8 / 50)) / 2
    assert loss(depth, K, imap, labels).item() == pytest.approx(both)
    keep = [torch.tensor([False, True, True, True])]
    assert loss(depth, K, imap, labels, keep=keep).item() == pytest.approx(abs(1.7 - 0.48))
    d = depth.clone().requires_grad_(True)
    zero = loss(d, K, imap, labels, keep=[torch.zeros(4, dtype=torch.bool)])
    zero.backward()
    assert zero.item() == 0 and torch.equal(d.grad, torch.zeros_like(d))


def test_gradient_scale_factors_and_registry():
    depth, imap = scene(8.0)
    depth2, imap2 = scene(4.0)
    depth = torch.cat([depth, depth2, depth2]).requires_grad_(True)
    imap = torch.cat([imap, imap2, imap2])
    labels = [torch.tensor([0]), torch.tensor([0]), torch.tensor([-1])]
    loss = MODELS.build(dict(type='ObjectHeightLoss', form='representative',
                             height_priors=PRIORS, classes=CLASSES, depth_reduction='mean'))
    assert loss.loss_name == 'loss_object_height'
    val = loss(depth, K, imap, labels)
    assert val.item() == pytest.approx((0.1 + abs(1.5 - 0.8)) / 2)
    val.backward()
    # Image 0 is too tall (pushed nearer), image 1 too short (pushed farther).
    assert (depth.grad[0, 0, 5:15, 10:18] > 0).all() and (depth.grad[1, 0, 5:15, 10:18] < 0).all()
    assert depth.grad[0, 0, 0, 0] == 0 and depth.grad[2].abs().sum() == 0
    rec = loss.records(depth, K, imap, labels)
    s = object_scale_factors(rec)
    assert not s.requires_grad
    # s = (fy H / h_pix) / D: 7.5 / 8 and 7.5 / 4.
    assert torch.allclose(s, torch.tensor([7.5 / 8, 7.5 / 4], dtype=torch.float64))
    frame = frame_scale_factors(rec, 3)
    assert frame[:2].tolist() == pytest.approx([7.5 / 8, 7.5 / 4]) and torch.isnan(frame[2])
    per_image = loss.scale_factors(depth, K, imap, labels)
    assert [f.numel() for f in per_image] == [1, 1, 0]
    assert torch.allclose(torch.cat(per_image), s)


def test_frame_target_rescales_the_whole_image():
    """target='frame': an object implying scale s gives mean |log s| on every pixel, and the
    gradient pushes all pixels' log-depth by the same amount (a global rescale)."""
    H, W = 40, 60
    fy = 100.0
    K = torch.tensor([[100., 0., 30.], [0., fy, 20.], [0., 0., 1.]])
    imap = torch.zeros(1, H, W, dtype=torch.long)
    imap[0, 10:30, 20:30] = 1                     # 20 px tall
    depth = torch.full((1, 1, H, W), 10.0)
    depth[0, 0, :5] = 40.0                        # other structure keeps its relative depth
    depth.requires_grad_(True)
    loss = ObjectHeightLoss({'car': (1.5, 0.1)}, ['car'], form='representative',
                            depth_reduction='median', target='frame')
    out = loss(depth, K[None], imap, [torch.tensor([0])])
    s = 1.5 / (20 * 10.0 / fy)                    # prior / implied height = 0.75
    assert out.item() == pytest.approx(abs(math.log(s)), rel=1e-5)
    out.backward()
    g = depth.grad[0, 0] * depth.detach()[0, 0]   # d loss / d log D
    assert torch.allclose(g, torch.full_like(g, 1.0 / (H * W)), rtol=1e-4)   # all pixels alike
    with pytest.raises(ValueError, match='target'):
        ObjectHeightLoss({'car': (1.5, 0.1)}, ['car'], target='image')
