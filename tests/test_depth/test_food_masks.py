"""Depth-derived food masks ('table' vs 'plate') and SAM 2 prompted food masks on dishes of
the synthetic twin (random weights: SAM 2 here checks the machinery, not mask quality)."""
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch

from mmext.depth.datasets import Nutrition5kDataset, derive_food_mask
from mmext.depth.datasets.sam2_food_masks import SAM2FoodMasker, food_prompts
from mmext.geometry import compute_volume
from mmext.synthetic.nutrition5k_solids import (Box, Cylinder, SphericalCap, TableScene,
                                                intrinsics, render_scene)
from mmext.synthetic.nutrition5k_trays import render_tray
from mmext.utils import UserInputError

K = intrinsics(616.0, 616.0, 319.5, 239.5)
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _volume(depth, mask):
    return compute_volume(torch.from_numpy(depth)[None], torch.from_numpy(K),
                          torch.from_numpy(mask)[None], plane_method='ransac',
                          generator=torch.Generator().manual_seed(0)).item()


def _iou(a, b):
    return (a & b).sum() / max((a | b).sum(), 1)


@pytest.fixture(scope='module')
def tray():
    """The first 640x480 twin tray (seed 0) whose plate is taken as food by the old 6 mm
    'table' mask (a plate higher than 6 mm)."""
    rng = np.random.default_rng(0)
    for _ in range(8):
        t = render_tray(rng, K)
        if derive_food_mask(t['depth'], K, method='table').sum() > 3 * t['mask'].sum():
            return t
    raise AssertionError('no twin tray with a plate above 6 mm in 8 draws')


def test_plate_mask_fixes_plate_taken_as_food(tray):
    old = derive_food_mask(tray['depth'], K, method='table')
    new = derive_food_mask(tray['depth'], K, method='plate')
    true = tray['mask']
    assert _iou(old, true) < 0.3                        # the plate is taken as food
    assert _iou(new, true) > 0.85
    assert _volume(tray['depth'], old) > 2 * tray['volume']
    assert _volume(tray['depth'], new) == pytest.approx(tray['volume'], rel=0.03)
    noisy = tray['depth'] + np.random.default_rng(1).normal(0, 1e-3, tray['depth'].shape)
    assert _volume(noisy, derive_food_mask(noisy, K, method='plate')) == pytest.approx(
        tray['volume'], rel=0.05)


def test_plate_method_without_plate_uses_the_table():
    foods = [Box(0.03, 0.0, 0.05, 0.04, 0.02), SphericalCap(-0.04, 0.01, 0.03, 0.015)]
    depth, label, _ = render_scene(TableScene(K, (480, 640), 0.359, 0.02, -0.01, solids=foods))
    true = label >= 1
    m = derive_food_mask(depth, K, method='plate')
    assert _iou(m, true) > 0.9
    assert _volume(depth, m) == pytest.approx(sum(f.volume for f in foods), rel=0.03)
    # same thresholds above the table plane as the plate form would use above a plate
    assert np.array_equal(m, derive_food_mask(depth, K, method='table', height_thr=0.003,
                                              grow_thr=0.0015, ransac_threshold=0.0015))


def test_mask_method_and_defaults_checked():
    depth = np.full((40, 50), 0.36)
    with pytest.raises(ValueError, match='method'):
        derive_food_mask(depth, K, method='bowl')
    assert not derive_food_mask(depth, K, method='plate').any()   # flat table: no food


def test_food_prompts_cover_the_foods(tray):
    true = tray['mask']
    n_true, lab = cv2.connectedComponents(true.astype(np.uint8))
    boxes = food_prompts('food_boxes', true.shape, tray['depth'], K)['boxes']
    assert len(boxes) == n_true - 1 == tray['n_foods']
    for k in range(1, n_true):
        ys, xs = np.nonzero(lab == k)
        inside = [(b[0] <= xs.min() and b[1] <= ys.min() and b[2] >= xs.max() + 1
                   and b[3] >= ys.max() + 1) for b in boxes]
        assert any(inside)
    pts = food_prompts('food_points', true.shape, tray['depth'], K)['points']
    assert pts.shape == (tray['n_foods'], 1, 2)
    assert all(true[int(y), int(x)] for x, y in pts[:, 0])
    one = food_prompts('food_box', true.shape, tray['depth'], K)['boxes']
    assert one.shape == (1, 4)
    centre = food_prompts('centre_point', (480, 640))
    assert centre['points'].tolist() == [[[319.5, 239.5]]] and centre['boxes'] is None
    with pytest.raises(UserInputError, match='depth'):
        food_prompts('food_boxes', (480, 640))


class _Recorder:
    """A predictor returning each box as its mask (points: a 5x5 square)."""

    def __init__(self):
        self.calls = []

    def predict_masks(self, image, boxes=None, points=None, point_labels=None):
        self.calls.append((boxes, points))
        prompts = boxes if boxes is not None else points[:, 0]
        out = np.zeros((len(prompts),) + image.shape[:2], bool)
        for i, p in enumerate(prompts):
            if boxes is not None:
                x0, y0, x1, y1 = np.asarray(p).astype(int)
            else:
                x0, y0, x1, y1 = int(p[0]) - 2, int(p[1]) - 2, int(p[0]) + 3, int(p[1]) + 3
            out[i, y0:y1, x0:x1] = True
        return out


def test_sam2_food_masker_unions_one_call(tray):
    rec = _Recorder()
    m = SAM2FoodMasker(rec, prompt='food_boxes')(tray['rgb'], tray['depth'], K)
    assert len(rec.calls) == 1 and len(rec.calls[0][0]) == tray['n_foods']
    assert m.dtype == bool and m.shape == (480, 640)
    assert (m & tray['mask']).sum() == tray['mask'].sum()   # boxes cover the foods
    with pytest.raises(UserInputError, match='prompt'):
        SAM2FoodMasker(rec, prompt='qwen_boxes')


def test_sam2_food_masker_real_sam2_types_random_weights(tray, tmp_path):
    """Both SAM 2 routes of mmext.utils.sam2_prompts, tiny random models of the real types,
    with box and point prompts: shapes and types only (random weights give no bias)."""
    from mmext.utils.sam2_prompts import HFSam2Predictor, Sam2PackagePredictor
    from tests._helpers.sam2_standins import TINY_SAM2_OVERRIDES, write_hf_sam2
    rgb, depth = tray['rgb'][::2, ::2].copy(), tray['depth'][::2, ::2].copy()
    K2 = K.copy()
    K2[:2] /= 2
    pkg = Sam2PackagePredictor('configs/sam2.1/sam2.1_hiera_t.yaml', checkpoint=None,
                               hydra_overrides=TINY_SAM2_OVERRIDES)
    hf = HFSam2Predictor(write_hf_sam2(str(tmp_path / 'hf')))
    for sam2 in (pkg, hf):
        for prompt in ('food_boxes', 'food_points', 'centre_point'):
            m = SAM2FoodMasker(sam2, prompt=prompt, min_area=10)(rgb, depth, K2)
            assert m.shape == (240, 320) and m.dtype == bool
        both = sam2.predict_masks(rgb, boxes=[[10, 10, 100, 90], [150, 60, 300, 200]],
                                  points=[[[50, 50]], [[200, 100]]])
        assert both.shape == (2, 240, 320)


def test_sam2_masks_tool_writes_mask_dir(tmp_path):
    """tools/dataset_converters/nutrition5k_sam2_masks.py on a twin: masks for every dish with
    depth, then Nutrition5kDataset(mask_dir=...) reads them; missing weights: one line."""
    from mmext.synthetic.nutrition5k_trays import generate_nutrition5k
    from tests._helpers.sam2_standins import write_hf_sam2
    root = tmp_path / 'n5k'
    gt = generate_nutrition5k(str(root), num_dishes=3, num_sessions=1, seed=0,
                              size=(240, 320), K=(308.0, 308.0, 159.5, 119.5), no_depth=1)
    hf = write_hf_sam2(str(tmp_path / 'hf'))
    sys.path.insert(0, osp.join(REPO, 'tools', 'dataset_converters'))
    try:
        import nutrition5k_sam2_masks as tool
    finally:
        sys.path.pop(0)
    counts = tool.main([str(root), '--hf-model', hf, '--K', '308', '308', '159.5', '119.5',
                        '--split-files', 'dish_ids/splits/depth_train_ids.txt',
                        'dish_ids/splits/depth_test_ids.txt'])
    assert counts['written'] == 2 and counts['no_depth'] == 1
    ds = Nutrition5kDataset(str(root), 'dish_ids/splits/depth_test_ids.txt',  # 1 session
                            K=(308.0, 308.0, 159.5, 119.5), mask_dir='masks_sam2',
                            cache_dir=str(tmp_path / 'cache'))
    assert len(ds) == 2
    for i in range(len(ds)):
        assert ds.get_data_info(i)['mask_path'].startswith(str(root / 'masks_sam2'))
    assert set(gt['no_depth']).isdisjoint(
        p[:-4] for p in __import__('os').listdir(root / 'masks_sam2'))
    r = subprocess.run([sys.executable, osp.join(REPO, 'tools', 'dataset_converters',
                                                  'nutrition5k_sam2_masks.py'), str(root),
                        '--sam2-checkpoint', str(tmp_path / 'missing.pt')],
                       capture_output=True, text=True, cwd=REPO,
                       env={**__import__('os').environ, 'PYTHONPATH': REPO})
    assert r.returncode == 2, r.stderr
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and 'missing.pt' in err[0] and 'sam2.1_hiera_large.pt' in err[0], err
