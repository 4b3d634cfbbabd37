"""CameraHeightMetric on rendered road depth with a known camera height."""
import numpy as np
import pytest
import torch

from mmext.selfsup.metrics import CameraHeightMetric
from mmext.synthetic.road_scene import kitti_like_intrinsics


def flat_road(h=1.65, size=(160, 48)):
    """z-depth of a level road ``h`` below the camera; ``(depth, road, K)``."""
    W, H = size
    K = kitti_like_intrinsics(size)
    v = np.arange(H, dtype=np.float64)[:, None].repeat(W, 1)
    below = v > K[1, 2] + 2
    depth = np.full((H, W), 80.0)
    depth[below] = h * K[1, 1] / (v[below] - K[1, 2])
    return torch.from_numpy(depth), torch.from_numpy(below), torch.from_numpy(K)


def test_heights_and_errors_by_hand():
    depth, road, K = flat_road()
    m = CameraHeightMetric(reference_height=1.65)
    samples = [dict(pred_disp=1 / (depth * s), K=K, road_mask=road) for s in (1.0, 2.0, 0.5)]
    samples.append(dict(pred_disp=1 / depth, K=K, road_mask=torch.zeros_like(road)))  # no road
    m.process(None, samples)
    r = m.compute_metrics(m.results)
    assert r['num_frames'] == 3
    assert r['median'] == pytest.approx(1.65, rel=1e-6)
    assert r['mean'] == pytest.approx(1.65 * 3.5 / 3, rel=1e-6)
    assert r['abs_err'] == pytest.approx(0.0, abs=1e-6)
    assert r['frame_abs_err'] == pytest.approx((0 + 1.65 + 0.825) / 3, rel=1e-6)
    assert r['frame_rel_err'] == pytest.approx(r['frame_abs_err'] / 1.65)


def test_plane_estimator_agrees_on_a_flat_road():
    depth, road, K = flat_road()
    for est in ('normals', 'plane'):
        m = CameraHeightMetric(reference_height=1.65, estimator=est)
        m.process(None, [dict(pred_disp=1 / (depth * 1.2), K=K, road_mask=road)])
        assert m.compute_metrics(m.results)['median'] == pytest.approx(1.98, rel=1e-6), est
    with pytest.raises(ValueError, match='estimator'):
        CameraHeightMetric(estimator='lidar')


def test_needs_road_masks():
    depth, road, K = flat_road()
    with pytest.raises(KeyError, match='LoadRoadInstanceMasks'):
        CameraHeightMetric().process(None, [dict(pred_disp=1 / depth, K=K)])
    m = CameraHeightMetric()
    m.process(None, [dict(pred_disp=1 / depth, K=K, road_mask=torch.zeros_like(road))])
    with pytest.raises(ValueError, match='road pixels'):
        m.compute_metrics(m.results)
