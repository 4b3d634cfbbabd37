"""ObjectDiscoveryMetric against a restatement of the OCL framework / VideoSAUR metric code
on clips with empty (background-only) frames and clips of different lengths.

The reference restated here (ocl/metrics/utils.py ``adjusted_rand_index``, videosaur/
metrics.py ``AdjustedRandIndex`` / ``IntersectionOverUnion``, ocl/metrics/masks.py
``unsupervised_mask_iou``): one-hot GT with channel 0 = background, argmax predictions
one-hot; ARI = 1 where its denominator is 0 (also when there is no foreground point);
FG-ARI drops the background channel; every frame (image metrics) or video (video metrics)
adds one value to a running sum and one to the count; mBO / mIoU skip units without a GT
object.
"""
import numpy as np
import pytest
import torch
from scipy.optimize import linear_sum_assignment

from mmext.registry import METRICS
from mmext.slots.metrics import functional as F


def ref_ari(true_oh: torch.Tensor, pred_oh: torch.Tensor) -> torch.Tensor:
    """ARI of (B, P, C) one-hot GT and (B, P, K) one-hot predictions, as the references."""
    n = torch.einsum('bpc,bpk->bck', true_oh.double(), pred_oh.double())
    a, b = n.sum(-1), n.sum(-2)
    points = a.sum(1)
    rindex = (n * (n - 1)).sum((1, 2))
    aindex, bindex = (a * (a - 1)).sum(1), (b * (b - 1)).sum(1)
    expected = aindex * bindex / torch.clamp(points * (points - 1), min=1)
    denom = (aindex + bindex) / 2 - expected
    return torch.where(denom != 0, (rindex - expected) / denom, torch.ones_like(denom))


def ref_ious(true_oh: torch.Tensor, pred_oh: torch.Tensor) -> torch.Tensor:
    """Pairwise IoU (C, K) of one unit (empty union -> 0)."""
    inter = true_oh.double().T @ pred_oh.double()
    union = true_oh.sum(0)[:, None] + pred_oh.sum(0)[None] - inter
    return torch.where(union > 0, inter / union.clamp_min(1), torch.zeros_like(inter))


def ref_scores(gt, pred, k, video_level):
    """Running sums / counts of ARI, FG-ARI, mBO, mIoU over clips (lists of (T, H, W))."""
    sums = dict.fromkeys(('ARI', 'FG-ARI', 'mBO', 'mIoU'), 0.0)
    counts = dict.fromkeys(sums, 0)
    c = 1 + max(int(g.max()) for g in gt)
    for g, p in zip(gt, pred):
        true_oh = torch.nn.functional.one_hot(torch.as_tensor(g), c)  # (T, H, W, C)
        pred_oh = torch.nn.functional.one_hot(torch.as_tensor(p), k)
        units = [(true_oh.reshape(1, -1, c), pred_oh.reshape(1, -1, k))] if video_level \
            else [(t.reshape(1, -1, c), q.reshape(1, -1, k)) for t, q in zip(true_oh, pred_oh)]
        for t, q in units:
            for name, tt in (('ARI', t), ('FG-ARI', t[..., 1:])):
                sums[name] += float(ref_ari(tt, q)[0])
                counts[name] += 1
            fg = t[0, :, 1:]
            active = fg.sum(0) > 0
            if not active.any():
                continue  # skip units without any GT object (both references)
            ious = ref_ious(fg[:, active], q[0])
            sums['mBO'] += float(ious.max(1).values.mean())
            rows, cols = linear_sum_assignment(ious.numpy(), maximize=True)
            sums['mIoU'] += float(ious[rows, cols].sum() / active.sum())
            counts['mBO'] += 1
            counts['mIoU'] += 1
    return {n: sums[n] / counts[n] for n in sums}


def _clips(seed=0, k=4):
    rng = np.random.default_rng(seed)
    gt = [rng.integers(0, 4, (3, 6, 6)), rng.integers(0, 3, (1, 6, 6)),
          rng.integers(0, 4, (2, 6, 6))]
    gt[0][1] = 0            # a background-only frame inside a clip
    gt[1][:] = 0            # a clip without any object
    gt[2][:, :3] = 1        # a big object
    pred = [rng.integers(0, k, g.shape) for g in gt]
    return gt, pred


def _metric(video_level, gt, pred, k, **kw):
    m = METRICS.build(dict(type='ObjectDiscoveryMetric', video_level=video_level, **kw))
    for g, p in zip(gt, pred):
        masks = torch.nn.functional.one_hot(torch.as_tensor(p), k).permute(0, 3, 1, 2).float()
        m.process({}, [dict(pred_masks=masks, gt_masks=torch.as_tensor(g))])
    return m.compute_metrics(m.results)


@pytest.mark.parametrize('video_level', [False, True])
@pytest.mark.parametrize('seed', [0, 1, 2])
def test_reference_convention_equals_reference_code(video_level, seed):
    gt, pred = _clips(seed)
    ref = ref_scores(gt, pred, 4, video_level)
    ours = _metric(video_level, gt, pred, 4)
    for name in ref:
        assert ours[name] == pytest.approx(ref[name], abs=1e-10), name


def test_empty_frames_score_one_and_count():
    gt = [np.zeros((2, 4, 4), int), np.ones((1, 4, 4), int)]
    gt[1][0, :, :2] = 2
    pred = [np.zeros((2, 4, 4), int), np.zeros((1, 4, 4), int)]  # merges the 2 objects
    ours = _metric(False, gt, pred, 2)
    assert ours['FG-ARI'] == pytest.approx((1.0 + 1.0 + 0.0) / 3)  # 3 frames, 2 empty
    legacy = _metric(False, gt, pred, 2, convention='per_clip')
    assert legacy['FG-ARI'] == pytest.approx(0.0)                  # empty clip skipped
    assert F.fg_adjusted_rand_index(np.zeros(4, int), np.arange(4)) == 1.0
    assert np.isnan(F.fg_adjusted_rand_index(np.zeros(4, int), np.arange(4),
                                             empty=float('nan')))


def test_frame_scores_average_over_frames_not_clips():
    # clip 0: 3 perfectly segmented frames; clip 1: 1 frame with both objects merged
    gt = [np.tile(np.array([[1, 1], [2, 2]]), (3, 1, 1)), np.array([[[1, 1], [2, 2]]])]
    pred = [np.tile(np.array([[0, 0], [1, 1]]), (3, 1, 1)), np.zeros((1, 2, 2), int)]
    assert _metric(False, gt, pred, 2)['mBO'] == pytest.approx((3 * 1.0 + 0.5) / 4)
    assert _metric(False, gt, pred, 2, convention='per_clip')['mBO'] == \
        pytest.approx((1.0 + 0.5) / 2)
    with pytest.raises(ValueError, match='convention'):
        METRICS.build(dict(type='ObjectDiscoveryMetric', convention='ocl'))


def test_breakdown_by_clip_metainfo():
    gt = [np.array([[[1, 1], [2, 2]]]), np.array([[[1, 1], [2, 2]]])]
    pred = [np.array([[[0, 0], [1, 1]]]), np.zeros((1, 2, 2), int)]
    m = METRICS.build(dict(type='ObjectDiscoveryMetric', video_level=False,
                           breakdown_key='material'))
    for g, p, mat in zip(gt, pred, ('metal', 'rubber')):
        masks = torch.nn.functional.one_hot(torch.as_tensor(p), 2).permute(0, 3, 1, 2).float()
        m.process({}, [dict(pred_masks=masks, gt_masks=torch.as_tensor(g), material=mat)])
    res = m.compute_metrics(m.results)
    assert res['FG-ARI/metal'] == 1.0 and res['FG-ARI/rubber'] == 0.0
    assert res['FG-ARI'] == pytest.approx(0.5)
    with pytest.raises(KeyError, match='subset_key'):
        m.process({}, [dict(pred_masks=masks, gt_masks=torch.as_tensor(gt[0]))])
