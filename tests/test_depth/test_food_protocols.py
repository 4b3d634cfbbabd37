"""Official DAV2 preprocessing, Nutrition5k camera constants and the focal-length sweep."""
import math

import cv2
import numpy as np
import pytest
import torch

from mmext.depth.datasets import (NUTRITION5K_K_D435, NUTRITION5K_K_PAPER, DAV2InferResize,
                                  Nutrition5kDataset, PackDepthInputs, paper_focal_px)
from mmext.depth.datasets.transforms import dav2_infer_size
from mmext.depth.evaluation import focal_sweep, format_focal_table
from mmext.depth.models import DepthEstimator
from mmext.geometry import compute_volume

MEAN, STD = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])


def official_image2tensor(rgb_uint8, input_size=518):
    """DAV2 image2tensor restated (RGB input): /255 in float64, Resize(keep_aspect_ratio,
    lower_bound, multiple of 14, INTER_CUBIC), NormalizeImage, CHW."""
    h, w = rgb_uint8.shape[:2]
    image = rgb_uint8 / 255.0
    s = max(input_size / h, input_size / w)

    def mult(x):
        y = int(np.round(x / 14) * 14)
        return int(np.ceil(x / 14) * 14) if y < input_size else y
    nh, nw = mult(s * h), mult(s * w)
    image = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_CUBIC)
    image = (image - MEAN) / STD
    return torch.from_numpy(image.transpose(2, 0, 1).copy()).float()


def test_infer_size_and_transform_equal_official():
    assert dav2_infer_size(480, 640) == (518, 686)          # the 640x480 example
    assert dav2_infer_size(375, 1242) == (518, 1722)        # KITTI (1715.6 -> 123 x 14)
    assert dav2_infer_size(518, 518) == (518, 518)
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    ref = official_image2tensor(img, input_size=56)
    res = DAV2InferResize(input_size=56)(dict(img=img.copy(), gt_depth=np.ones((48, 64),
                                                                               np.float32)))
    assert res['img'].shape == (56, 70, 3) and res['gt_depth'].shape == (48, 64)
    packed = PackDepthInputs()(res)
    model = DepthEstimator(
        backbone=dict(type='DINOv2Backbone', arch=None, hidden_size=32, num_layers=4,
                      num_heads=2, out_indices=[0, 1, 2, 3], image_size=56),
        decode_head=dict(type='DepthAnythingHead', in_channels=32, features=8,
                         out_channels=[8, 8, 8, 8]))
    x = model.data_preprocessor({'inputs': [packed['inputs']],
                                 'data_samples': [packed['data_samples']]})
    assert torch.allclose(x['inputs'][0], ref, atol=1e-4)
    # The prediction comes back at the ground-truth size, resized with align_corners=True.
    model.eval()
    with torch.no_grad():
        out = model(**x, mode='predict')[0].pred_depth
        raw = model(x['inputs'], mode='tensor')
    assert out.shape == (1, 48, 64)
    exp = torch.nn.functional.interpolate(raw, (48, 64), mode='bilinear', align_corners=True)
    assert torch.allclose(out, exp[0])


def test_paper_camera_is_the_default():
    f = paper_focal_px()
    assert f == pytest.approx(35.9 / math.sqrt(5.957e-3)) and 465.0 < f < 465.3
    assert NUTRITION5K_K_PAPER[:2] == (f, f) and NUTRITION5K_K_D435[0] == 616.0
    import inspect
    default_K = inspect.signature(Nutrition5kDataset).parameters['K'].default
    assert tuple(default_K) == NUTRITION5K_K_PAPER
    from mmengine.config import Config
    import os.path as osp
    root = osp.join(osp.dirname(__file__), '..', '..')
    cfg = Config.fromfile(osp.join(root, 'configs/_base_/nutrition5k_depth.py'))
    for dl in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[dl].dataset.K[0] == pytest.approx(f)
    # (616 / 465.1)^2: the factor between the two choices in every mL.
    assert (616.0 / f) ** 2 == pytest.approx(1.754, abs=1e-3)


def _dish(seed, f=465.13, H=60, W=80):
    """A box of food on a flat table 0.36 m away; returns a sample dict (pred = gt * s)."""
    rng = np.random.default_rng(seed)
    gt = np.full((H, W), 0.36)
    mask = np.zeros((H, W), bool)
    y0, x0 = rng.integers(15, 25), rng.integers(20, 35)
    mask[y0:y0 + 20, x0:x0 + 25] = True
    gt[mask] = 0.36 - rng.uniform(0.02, 0.05)
    K = np.array([[f * W / 640, 0, (W - 1) / 2], [0, f * W / 640, (H - 1) / 2], [0, 0, 1]])
    vol = compute_volume(torch.from_numpy(gt)[None], torch.from_numpy(K),
                         torch.from_numpy(mask)[None]).item()
    return dict(pred_depth=gt * rng.uniform(0.995, 1.005, gt.shape), gt_depth=gt,
                food_mask=mask, K=K, gt_volume=vol)


def test_focal_sweep_scales_as_inverse_square():
    samples = [_dish(i) for i in range(4)]
    rows = focal_sweep(samples, [465.13, 616.0, 400.0], 465.13, ring_inner=2, ring_width=6,
                       label_plane_method='lstsq')
    base = rows[0]
    # Labels kept: at 616 px every predicted mL shrinks by (465.13/616)^2.
    pred_ml = np.array([compute_volume(torch.from_numpy(s['pred_depth'])[None],
                                       torch.from_numpy(s['K']),
                                       torch.from_numpy(s['food_mask'])[None],
                                       ring_inner=2, ring_width=6).item()
                        for s in samples]) * 1e6
    gt_ml = np.array([s['gt_volume'] for s in samples]) * 1e6
    k = (465.13 / 616.0) ** 2
    assert rows[1]['mae_ml'] == pytest.approx(np.abs(pred_ml * k - gt_ml).mean(), rel=1e-3)
    assert rows[1]['bias_ml'] < 0 < rows[2]['bias_ml']
    assert rows[1]['mae_ml'] > 5 * base['mae_ml']
    # Labels recomputed with the same K: the error scales with them (MRE unchanged).
    assert rows[1]['mre_same_K'] == pytest.approx(base['mre_same_K'], rel=1e-3)
    assert rows[1]['mae_ml_same_K'] == pytest.approx(base['mae_ml_same_K'] * k, rel=1e-3)
    table = format_focal_table(rows, 465.13)
    assert "465.1 (labels' K)" in table and table.count('\n') == 4
    with pytest.raises(ValueError, match='positive'):
        focal_sweep(samples, [0.0], 465.13)
