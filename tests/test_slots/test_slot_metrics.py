"""Object-discovery metrics: sklearn equality and hand-computed cases."""
import numpy as np
import pytest
import torch
from sklearn.metrics import adjusted_rand_score

from mmext.registry import METRICS
from mmext.slots.metrics import functional as F


@pytest.mark.parametrize('seed', range(8))
def test_ari_equals_sklearn_random(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    t = rng.integers(0, int(rng.integers(1, 7)), n)
    p = rng.integers(0, int(rng.integers(1, 7)), n)
    assert F.adjusted_rand_index(t, p) == pytest.approx(adjusted_rand_score(t, p), abs=1e-12)
    fg = t != 0
    if fg.any():
        assert F.fg_adjusted_rand_index(t, p) == pytest.approx(
            adjusted_rand_score(t[fg], p[fg]), abs=1e-12)


@pytest.mark.parametrize('t,p', [
    ([0, 0, 0, 0], [1, 1, 1, 1]),          # one cluster each: sklearn's special case, 1.0
    ([0, 0, 1, 1], [1, 1, 0, 0]),          # identical up to relabelling
    ([0, 1, 2, 3], [0, 0, 0, 0]),          # singletons vs one cluster
    ([0, 1, 2, 3], [3, 2, 1, 0]),
    ([5], [2]),                            # one sample
    ([0, 0, 1, 1, 1, 2], [0, 1, 1, 1, 2, 2]),
])
def test_ari_equals_sklearn_edge_cases(t, p):
    t, p = np.array(t), np.array(p)
    assert F.adjusted_rand_index(t, p) == pytest.approx(adjusted_rand_score(t, p), abs=1e-12)


def test_ari_equals_sklearn_on_large_video_labels():
    """Pair counts overflow int64 products at video sizes; must still match sklearn."""
    rng = np.random.default_rng(0)
    t = rng.integers(0, 6, (24, 128, 128))
    p = np.where(rng.random(t.shape) < 0.8, t, rng.integers(0, 7, t.shape))
    assert F.adjusted_rand_index(t, p) == pytest.approx(
        adjusted_rand_score(t.ravel(), p.ravel()), rel=1e-9)


def test_ari_hand_computed():
    # true {0,1}{2,3}; pred {0,1}{2}{3}: pairs 6, tp=1, fn=1, fp=0, tn=4
    # ARI = 2(1*4 - 0) / ((1+1)(1+4) + (1+0)(0+4)) = 8 / 14
    assert F.pair_confusion([0, 0, 1, 1], [0, 0, 1, 2]) == (4, 0, 1, 1)
    assert F.adjusted_rand_index(np.array([0, 0, 1, 1]), np.array([0, 0, 1, 2])) == \
        pytest.approx(4 / 7)


def test_fg_ari_drops_background_and_scores_one_without_foreground():
    gt = np.array([0, 0, 1, 1, 2, 2])
    pred = np.array([3, 1, 0, 0, 1, 1])  # background pixels are ignored
    assert F.fg_adjusted_rand_index(gt, pred) == 1.0
    assert F.fg_adjusted_rand_index(np.zeros(4, int), np.arange(4)) == 1.0  # OCL/VideoSAUR
    assert np.isnan(F.fg_adjusted_rand_index(np.zeros(4, int), np.arange(4),
                                             empty=float('nan')))
    with pytest.raises(TypeError, match='integer'):
        F.fg_adjusted_rand_index(gt.astype(float), pred)


def test_mbo_and_hungarian_miou_hand_computed():
    # GT: bg (0) px 0-1, obj 1 px 2-5, obj 2 px 6-7
    gt = np.array([0, 0, 1, 1, 1, 1, 2, 2])
    # pred: slot A covers px 0-3, slot B px 4-7
    pred = np.array([7, 7, 7, 7, 9, 9, 9, 9])
    # IoU(obj1, A) = 2/6, IoU(obj1, B) = 2/6; IoU(obj2, A) = 0, IoU(obj2, B) = 2/4
    # mBO (fg) = (1/3 + 1/2) / 2; Hungarian (fg): obj2-B forces obj1-A: (1/3 + 1/2) / 2
    assert F.mean_best_overlap(gt, pred) == pytest.approx((1 / 3 + 1 / 2) / 2)
    assert F.hungarian_miou(gt, pred) == pytest.approx((1 / 3 + 1 / 2) / 2)
    # with background: IoU(bg, A) = 2/4, IoU(bg, B) = 0 -> mBO adds 1/2
    assert F.mean_best_overlap(gt, pred, ignore_background=False) == pytest.approx(
        (1 / 2 + 1 / 3 + 1 / 2) / 3)
    # Hungarian with 3 GT and 2 slots: best assignment bg-A (1/2) + obj2-B (1/2); obj1 = 0
    assert F.hungarian_miou(gt, pred, ignore_background=False) == pytest.approx(1 / 3)


def test_hungarian_differs_from_best_overlap():
    # one slot covering both objects: mBO credits it twice, Hungarian only once
    gt = np.array([1, 1, 2, 2])
    pred = np.array([0, 0, 0, 0])
    assert F.mean_best_overlap(gt, pred) == pytest.approx(0.5)
    assert F.hungarian_miou(gt, pred) == pytest.approx(0.25)


def test_mask_stability_hand_computed():
    a = np.array([0, 0, 1, 1, 2, 2])
    assert F.mask_stability(a, np.array([5, 5, 3, 3, 4, 4])) == 1.0  # relabelled only
    b = np.array([0, 0, 0, 1, 1, 1])
    # IoUs: a0-b0 2/3, a1-b0 1/4, a1-b1 1/4, a2-b1 2/3; best matching a0-b0, a2-b1 (4/3)
    # divided by max(3, 2) segments
    assert F.mask_stability(a, b) == pytest.approx((2 / 3 + 2 / 3) / 3)


def test_slot_diversity_hand_computed():
    assert F.slot_diversity(np.eye(3)) == pytest.approx(0.0)
    s = np.array([[1.0, 0], [2.0, 0], [-1.0, 0]])
    # cos: (1,2)=1, (1,3)=-1, (2,3)=-1 -> ordered pairs mean = 2*(1-1-1)/6
    assert F.slot_diversity(s) == pytest.approx(-1 / 3)
    with pytest.raises(ValueError):
        F.slot_diversity(np.ones((1, 4)))


def test_temporal_consistency_hand_computed():
    gt = np.array([[[1, 1, 2, 0]], [[1, 1, 2, 0]], [[1, 1, 0, 0]]])  # (T=3, 1, 4)
    pred = np.array([[[0, 0, 1, 1]], [[1, 1, 1, 1]], [[1, 0, 2, 2]]])
    # obj1: t0 slot 0, t1 slot 1 (change), t2 tie {1, 0} -> smallest id 0 (change)
    # obj2: t0 slot 1, t1 slot 1 (same); absent in t2
    assert F.temporal_consistency(gt, pred) == pytest.approx(1 / 3)
    assert np.isnan(F.temporal_consistency(gt[:1], pred[:1]))


def _onehot(labels: np.ndarray, k: int) -> torch.Tensor:
    """(T, H, W) labels -> (T, K, H, W) one-hot float masks."""
    return torch.nn.functional.one_hot(torch.as_tensor(labels), k).permute(0, 3, 1, 2).float()


def test_object_discovery_metric_video_and_frame_level():
    gt = np.array([[[0, 1], [2, 2]], [[0, 1], [2, 2]]])
    pred = np.array([[[0, 1], [2, 2]], [[0, 2], [1, 1]]])  # frame 1 swaps slot ids
    sample = dict(pred_masks=_onehot(pred, 3), gt_masks=torch.as_tensor(gt))
    video = METRICS.build(dict(type='ObjectDiscoveryMetric', video_level=True))
    video.process({}, [sample])
    res = video.compute_metrics(video.results)
    fg = gt.ravel() != 0
    assert res['FG-ARI'] == pytest.approx(adjusted_rand_score(gt.ravel()[fg],
                                                              pred.ravel()[fg]))
    assert res['ARI'] == pytest.approx(adjusted_rand_score(gt.ravel(), pred.ravel()))
    frame = METRICS.build(dict(type='ObjectDiscoveryMetric', video_level=False))
    frame.process({}, [sample])
    res_f = frame.compute_metrics(frame.results)
    assert res_f['FG-ARI'] == 1.0 and res_f['mBO'] == 1.0 and res_f['mIoU'] == 1.0
    assert res['FG-ARI'] < 1.0


def test_metric_classes_average_and_errors():
    m = METRICS.build(dict(type='SlotDiversityMetric'))
    m.process({}, [dict(slots=torch.eye(3)[None]),
                   dict(slots=torch.tensor([[[1.0, 0], [2.0, 0], [-1.0, 0]]]))])
    assert m.compute_metrics(m.results)['slot_similarity'] == pytest.approx(-1 / 6)
    s = METRICS.build(dict(type='MaskStabilityMetric'))
    with pytest.raises(KeyError, match='pred_masks_jitter'):
        s.process({}, [dict(pred_masks=torch.zeros(1, 2, 2, 2))])
    lab = np.array([[[0, 0], [1, 1]]])
    s.process({}, [dict(pred_masks=_onehot(lab, 2), pred_masks_jitter=_onehot(1 - lab, 2))])
    assert s.compute_metrics(s.results)['mask_stability'] == 1.0
    tc = METRICS.build(dict(type='TemporalConsistencyMetric'))
    tc.process({}, [dict(pred_masks=_onehot(lab, 2), gt_masks=torch.as_tensor(lab))])
    assert np.isnan(tc.compute_metrics(tc.results)['temporal_consistency'])
