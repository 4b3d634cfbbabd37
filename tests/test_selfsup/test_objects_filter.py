import math

import pytest
import torch

from mmext.selfsup.objects import filter_instances, instance_boxes, instance_reasons

H, W = 60, 80
K = torch.tensor([[100., 0., 39.5], [0., 100., 20.], [0., 0., 1.]], dtype=torch.float64)
LEVEL = torch.tensor([0., -1., 0.], dtype=torch.float64)    # horizon at row cy = 20
CLASSES = ('car', 'pedestrian', 'tree')
PRIORS = {'car': (1.5, 0.2), 'pedestrian': (1.7, 0.1)}

# (rows, cols, label, expected reason) on a level road, camera 1.65 m above it.
LAYOUT = [
    # A 1.5 m car at 10 m: top/bottom edges 20 + 100 * (1.65 - 1.5 | 1.65) / 10 = 21.5 | 36.5.
    ((22, 36), (5, 22), 0, 'kept'),
    # The same car scaled x1.5 (2.25 m): edges 14.5 | 36.5 -> implied 1.65 * 22 / 16.5 = 2.2 m.
    ((15, 36), (50, 67), 0, 'height_outlier'),
    # A 1.7 m pedestrian at 8 m: edges 19.5 | 40.5 -> implied 1.65 * 21 / 20.5 = 1.69 m.
    ((20, 40), (70, 75), 1, 'kept'),
    ((45, 50), (30, 40), -1, 'unknown'),
    ((2, 12), (55, 60), 2, 'unknown'),                      # 'tree' has no height prior
    ((40, 44), (30, 34), 0, 'tiny'),                        # 25 px < 50
    ((40, 50), (0, 8), 0, 'truncated'),                     # touches the left border
    ((52, 59), (45, 60), 1, 'truncated'),                   # touches the bottom border
    ((2, 12), (25, 40), 0, 'not_on_road'),                  # bottom edge 12.5 above row 20
]


def layout_map(layout=LAYOUT):
    imap = torch.zeros(H, W, dtype=torch.long)
    for k, ((r0, r1), (c0, c1), _, _) in enumerate(layout):
        assert (imap[r0:r1 + 1, c0:c1 + 1] == 0).all()
        imap[r0:r1 + 1, c0:c1 + 1] = k + 1
    return imap, torch.tensor([lab for _, _, lab, _ in layout])


def test_instance_boxes_and_areas():
    imap, _ = layout_map()
    boxes, areas = instance_boxes(imap, len(LAYOUT) + 1)     # one id without pixels
    assert boxes[0].tolist() == [5, 22, 22, 36] and areas[0] == 15 * 18
    assert boxes[5].tolist() == [30, 40, 34, 44] and areas[5] == 25
    assert boxes[-1].tolist() == [-1, -1, -1, -1] and areas[-1] == 0


def test_each_criterion_on_a_level_road():
    imap, labels = layout_map()
    reasons = instance_reasons(imap, labels, CLASSES, PRIORS, road_normal=LEVEL, K=K,
                               camera_height=1.65)
    assert reasons == [[r for *_, r in LAYOUT]]
    keep, counts = filter_instances(imap, labels, CLASSES, PRIORS, road_normal=LEVEL, K=K,
                                    camera_height=1.65)
    assert keep[0].tolist() == [r == 'kept' for *_, r in LAYOUT] and keep[0].dtype == torch.bool
    assert counts == dict(total=9, kept=2, unknown=2, truncated=2, tiny=1, not_on_road=1,
                          height_outlier=1)


def test_height_checks_need_camera_height_and_horizon():
    imap, labels = layout_map()
    for kwargs in (dict(), dict(road_normal=LEVEL, K=K),
                   dict(road_normal=torch.full((3, ), float('nan')), K=K, camera_height=1.65)):
        _, counts = filter_instances(imap, labels, CLASSES, PRIORS, **kwargs)
        assert counts['kept'] == 4 and counts['not_on_road'] == counts['height_outlier'] == 0
    # A wrong camera height (x1.5) scales every implied height by 1.5: the good car (2.25 m)
    # and pedestrian (2.53 m) become outliers too.
    _, counts = filter_instances(imap, labels, CLASSES, PRIORS, road_normal=LEVEL, K=K,
                                 camera_height=1.65 * 1.5)
    assert counts['kept'] == 0 and counts['height_outlier'] == 3
    # Thresholds: no border test, no area floor, looser height tolerance. The x1.5 car
    # (2.2 m, +47 %) passes; the former tiny / truncated boxes fail on height: 1.65 * 5 / 24.5
    # = 0.34 m, 1.65 * 11 / 30.5 = 0.60 m (cars) and 1.65 * 8 / 39.5 = 0.33 m (pedestrian).
    reasons = instance_reasons(imap, labels, CLASSES, PRIORS, road_normal=LEVEL, K=K,
                               camera_height=1.65, border_margin=0, min_area=0,
                               max_rel_error=0.5)
    assert reasons[0] == ['kept', 'kept', 'kept', 'unknown', 'unknown', 'height_outlier',
                          'height_outlier', 'height_outlier', 'not_on_road']


def test_pitched_road_moves_the_horizon_and_batches():
    imap, labels = layout_map()
    # Pitched down so the horizon sits at row 5 (cy - fy tan theta = 5).
    theta = math.atan(15 / 100)
    pitched = torch.tensor([0., -math.cos(theta), -math.sin(theta)], dtype=torch.float64)
    reasons = instance_reasons(torch.stack([imap, imap]), [labels, labels], CLASSES, PRIORS,
                               road_normal=torch.stack([LEVEL, pitched]), K=K,
                               camera_height=torch.tensor([1.65, 1.65]))
    assert reasons[0] == [r for *_, r in LAYOUT]
    # The former 'not_on_road' box now stands on the road, 1.65 * 11 / 7.5 = 2.42 m tall.
    assert reasons[1][8] == 'height_outlier'
    keep, counts = filter_instances(torch.stack([imap, imap]), [labels, labels], CLASSES,
                                    PRIORS)
    assert len(keep) == 2 and counts['total'] == 18 and counts['kept'] == 8
    with pytest.raises(ValueError, match='label tensors'):
        filter_instances(torch.stack([imap, imap]), [labels], CLASSES, PRIORS)


def test_consensus_reference_survives_a_wrong_camera_height():
    """With a camera-height target off by x2 FUMET's absolute test rejects both true-size
    objects (and so the evidence that would fix the target); the consensus test keeps them
    and still rejects the x1.5 car (its ratio 2.2/1.5 = 1.47 vs the median 1.0 ... 1.47)."""
    imap, labels = layout_map(LAYOUT[:3])
    wrong = instance_reasons(imap, labels, CLASSES, PRIORS, road_normal=LEVEL, K=K,
                             camera_height=3.3)
    assert wrong == [['height_outlier'] * 3]            # x2: a 3.0 m car, a 3.4 m pedestrian
    cons = instance_reasons(imap, labels, CLASSES, PRIORS, road_normal=LEVEL, K=K,
                            camera_height=3.3, height_reference='consensus')
    # ratios (at h = 1): car 15/16 / 1.5 = 0.625, big car 22/16.5 / 1.5 = 0.889,
    # pedestrian 21/20.5 / 1.7 = 0.603; median 0.625 -> the big car is 42 % off
    assert cons == [['kept', 'height_outlier', 'kept']]
    assert cons == instance_reasons(imap, labels, CLASSES, PRIORS, road_normal=LEVEL, K=K,
                                    camera_height=None, height_reference='consensus')
    one = instance_reasons(imap[None], [labels[:1]], CLASSES, PRIORS, road_normal=LEVEL, K=K,
                           height_reference='consensus')
    assert one == [['kept']]                                      # nothing to compare with
    with pytest.raises(ValueError, match='height_reference'):
        instance_reasons(imap, labels, CLASSES, PRIORS, height_reference='gt')
