"""The oracle token-grid bound of :mod:`mmext.slots.baselines`, on hand-made label maps."""
import numpy as np
import torch

from mmext.slots.baselines import evaluate_baseline, oracle_grid_masks
from mmext.slots.metrics.functional import fg_adjusted_rand_index


def _scene() -> torch.Tensor:
    gt = torch.zeros(1, 8, 8, dtype=torch.long)
    gt[0, 0:4, 0:4] = 1  # fills one cell of a 2x2 grid exactly
    gt[0, 5:7, 5:7] = 2  # a quarter of a 2x2 cell
    return gt


def test_oracle_masks_are_area_fractions_upsampled():
    masks = oracle_grid_masks(_scene(), 2, 2)
    assert masks.shape == (1, 3, 8, 8)  # ids 0, 1, 2
    assert torch.allclose(masks.sum(1), torch.ones(1, 8, 8))
    # 2x2 cell averages: object 1 fills the top-left cell; object 2 is 4/16 of the
    # bottom-right cell. Corners are not interpolated (align_corners=False, clamped).
    assert masks[0, 1, 0, 0] == 1.0 and masks[0, 2, 7, 7] == 0.25
    assert masks[0, 0, 7, 7] == 0.75


def test_oracle_bound_loses_objects_smaller_than_a_token():
    gt = _scene()
    fine = oracle_grid_masks(gt, 8, 8)[0].argmax(0)  # ids are 0, 1, 2 in order
    assert torch.equal(fine, gt[0])  # full resolution: exact
    coarse = oracle_grid_masks(gt, 2, 2)[0].argmax(0)
    assert not (coarse == 2).any()  # object 2 drowns in the background of its cell
    # the corner pixel (3, 3) of object 1: bilinear weights 0.625 / 0.375 per axis give
    # object 1 0.625^2 = 0.39 < background 2 * 0.625 * 0.375 + 0.375^2 * 0.75 = 0.57
    expected = torch.zeros(8, 8, dtype=torch.long)
    expected[0:4, 0:4] = 1
    expected[3, 3] = 0
    assert torch.equal(coarse, expected)
    # that pixel now shares a label with object 2 -> a merge, FG-ARI below 1
    assert fg_adjusted_rand_index(gt[0].numpy(), coarse.numpy()) < 1.0


def test_evaluate_baseline_oracle_on_a_dataset():
    gt = _scene()
    gt[0, 4:8, 0:2] = 3  # a third object, half a 2x2 cell (4 x 2 of 16 pixels)
    dataset = [dict(data_samples=type('S', (), {'gt_masks': gt})())]
    full = evaluate_baseline(dataset, 'oracle', 8, 8)
    assert full['FG-ARI'] == 1.0 and full['mBO'] == 1.0
    coarse = evaluate_baseline(dataset, 'oracle', 2, 2)
    assert coarse['mBO'] < 1.0
    assert np.isfinite(coarse['FG-ARI'])
