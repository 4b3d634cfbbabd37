"""DepthMetric / VolumeMetric against the DAV2 formulas and hand computations."""
import math

import numpy as np
import pytest
import torch

import torch.nn.functional as F

from mmext.depth.metrics import DepthMetric, VolumeMetric, crop_mask, volume_errors
from mmext.depth.metrics.depth_metric import DAV2_PROTOCOL, MONODEPTH2_PROTOCOL


def dav2_eval_depth(pred, target):
    """Depth-Anything-V2 metric_depth/util/metric.py eval_depth, restated."""
    thresh = torch.max((target / pred), (pred / target))
    n = len(thresh)
    diff = pred - target
    diff_log = torch.log(pred) - torch.log(target)
    return {
        'd1': (torch.sum(thresh < 1.25).float() / n).item(),
        'd2': (torch.sum(thresh < 1.25 ** 2).float() / n).item(),
        'd3': (torch.sum(thresh < 1.25 ** 3).float() / n).item(),
        'abs_rel': torch.mean(torch.abs(diff) / target).item(),
        'sq_rel': torch.mean(torch.pow(diff, 2) / target).item(),
        'rmse': torch.sqrt(torch.mean(torch.pow(diff, 2))).item(),
        'rmse_log': torch.sqrt(torch.mean(torch.pow(diff_log, 2))).item(),
        'log10': torch.mean(torch.abs(torch.log10(pred) - torch.log10(target))).item(),
        'silog': torch.sqrt(torch.pow(diff_log, 2).mean()
                            - 0.5 * torch.pow(diff_log.mean(), 2)).item(),
    }


def test_concrete_numbers_single_image():
    gt = torch.tensor([[1.0, 2.0], [4.0, 0.0]])          # 0 = invalid
    pred = torch.tensor([[1.0, 3.0], [2.0, 9.0]])
    m = DepthMetric(min_valid_pixels=1)
    m.process(None, [dict(pred_depth=pred, gt_depth=gt)])
    r = m.compute_metrics(m.results)
    # valid pairs (p, g): (1,1), (3,2), (2,4); ratios 1, 1.5, 2.
    assert r['abse'] == pytest.approx((0 + 1 + 2) / 3)
    assert r['d1'] == pytest.approx(1 / 3)
    assert r['d2'] == pytest.approx(2 / 3)                # 1.5 < 1.5625, 2 > 1.5625
    assert r['d3'] == pytest.approx(2 / 3)                # 2 > 1.953
    assert r['abs_rel'] == pytest.approx((0 + 0.5 + 0.5) / 3)
    assert r['sq_rel'] == pytest.approx((0 + 1 / 2 + 4 / 4) / 3)
    assert r['rmse'] == pytest.approx(math.sqrt((0 + 1 + 4) / 3))
    e = [0, math.log(1.5), math.log(0.5)]
    assert r['rmse_log'] == pytest.approx(math.sqrt(sum(x * x for x in e) / 3))
    assert r['log10'] == pytest.approx(sum(abs(x) for x in e) / math.log(10) / 3)
    assert r['silog'] == pytest.approx(math.sqrt(sum(x * x for x in e) / 3
                                                 - 0.5 * (sum(e) / 3) ** 2))


def test_per_image_then_averaged_equals_dav2():
    gen = torch.Generator().manual_seed(0)
    samples, refs = [], []
    for size in [(5, 6), (7, 3)]:                          # different sizes and pixel counts
        gt = torch.rand(size, generator=gen) * 4 + 0.2
        pred = gt * (torch.rand(size, generator=gen) + 0.5)
        samples.append(dict(pred_depth=pred[None], gt_depth=gt[None]))
        refs.append(dav2_eval_depth(pred.flatten().double(), gt.flatten().double()))
    m = DepthMetric()
    m.process(None, samples)
    r = m.compute_metrics(m.results)
    for k in refs[0]:
        assert r[k] == pytest.approx((refs[0][k] + refs[1][k]) / 2, rel=1e-6), k
    assert r['num_images'] == 2


def test_median_scaling_removes_global_scale():
    gen = torch.Generator().manual_seed(1)
    gt = torch.rand(8, 8, generator=gen) + 0.3
    m = DepthMetric(median_scaling=True)
    m.process(None, [dict(pred_depth=gt * 2.7, gt_depth=gt)])
    r = m.compute_metrics(m.results)
    assert r['abs_rel'] < 1e-6 and r['d1'] == 1.0
    assert r['med_ratio'] == pytest.approx(1 / 2.7)
    m2 = DepthMetric()
    m2.process(None, [dict(pred_depth=gt * 2.7, gt_depth=gt)])
    assert m2.compute_metrics(m2.results)['abs_rel'] == pytest.approx(1.7)


def monodepth2_eval(preds, gts, min_depth=1e-3, max_depth=80.0, median=True):
    """monodepth2 evaluate_depth.py's loop, restated in numpy (Garg crop applied by caller)."""
    errors, ratios = [], []
    for pred, gt in zip(preds, gts):
        mask = (gt > min_depth) & (gt < max_depth)
        p, g = pred[mask], gt[mask]
        if median:
            r = np.median(g) / np.median(p)
            ratios.append(r)
            p = p * r
        p = np.clip(p, min_depth, max_depth)
        thresh = np.maximum(g / p, p / g)
        errors.append([np.mean(np.abs(g - p) / g), np.mean((g - p) ** 2 / g),
                       np.sqrt(np.mean((g - p) ** 2)),
                       np.sqrt(np.mean((np.log(g) - np.log(p)) ** 2)),
                       (thresh < 1.25).mean(), (thresh < 1.25 ** 2).mean(),
                       (thresh < 1.25 ** 3).mean()])
    ratios = np.array(ratios)
    med = np.median(ratios) if median else None
    return np.mean(errors, 0), med, (np.std(ratios / med) if median else None)


def test_median_scaling_both_equals_monodepth2():
    rng = np.random.default_rng(3)
    preds, gts = [], []
    for _ in range(3):
        gt = rng.uniform(2, 90, (12, 20))
        gt[rng.random(gt.shape) < 0.5] = 0                 # sparse like velodyne GT
        preds.append(gt * rng.uniform(0.5, 2.0) * rng.uniform(0.9, 1.1, gt.shape) + 0.01)
        gts.append(gt)
    gts[0][0, :4] = 80.0                                   # monodepth2 drops gt == 80
    gts[1][0, :4] = 1e-3                                   # ... and gt == 1e-3
    m = DepthMetric(min_depth=1e-3, max_depth=80.0, median_scaling='both', **MONODEPTH2_PROTOCOL)
    m.process(None, [dict(pred_depth=torch.from_numpy(p), gt_depth=torch.from_numpy(g))
                     for p, g in zip(preds, gts)])
    r = m.compute_metrics(m.results)
    raw, _, _ = monodepth2_eval(preds, gts, median=False)
    scaled, med, std = monodepth2_eval(preds, gts, median=True)
    names = ['abs_rel', 'sq_rel', 'rmse', 'rmse_log', 'd1', 'd2', 'd3']
    for k, a, b in zip(names, raw, scaled):
        assert r[k] == pytest.approx(a, rel=1e-9), k
        assert r['ms_' + k] == pytest.approx(b, rel=1e-9), k
    assert r['med_ratio'] == pytest.approx(med)
    assert r['std_ratio'] == pytest.approx(std)
    assert r['ms_abs_rel'] < r['abs_rel']
    # Without the strict bounds the same data give other numbers (the test can fail).
    m2 = DepthMetric(min_depth=1e-3, max_depth=80.0, median_scaling='both',
                     **dict(MONODEPTH2_PROTOCOL, exclude_max_depth=False))
    m2.process(None, [dict(pred_depth=torch.from_numpy(p), gt_depth=torch.from_numpy(g))
                      for p, g in zip(preds, gts)])
    assert m2.compute_metrics(m2.results)['abs_rel'] != pytest.approx(raw[0], rel=1e-9)
    with pytest.raises(ValueError, match='median_scaling'):
        DepthMetric(median_scaling='yes')


def test_min_max_depth_crop_and_resize():
    gt = torch.ones(20, 30)
    gt[:10] = 50.0                                          # beyond max_depth
    pred = torch.ones(20, 30) * 1.5
    m = DepthMetric(max_depth=10.0)
    m.process(None, [dict(pred_depth=pred, gt_depth=gt)])
    assert m.compute_metrics(m.results)['abs_rel'] == pytest.approx(0.5)
    # Garg crop keeps rows int(0.408*H):int(0.992*H) and cols int(0.036*W):int(0.964*W).
    cm = crop_mask((375, 1242), 'garg')
    assert cm.sum() == (int(0.99189189 * 375) - int(0.40810811 * 375)) * \
        (int(0.96405229 * 1242) - int(0.03594771 * 1242))
    assert not cm[152, 100] and cm[153, 100]
    # Prediction at half resolution is resized to the ground truth.
    m3 = DepthMetric()
    m3.process(None, [dict(pred_depth=torch.full((10, 15), 2.0), gt_depth=torch.ones(20, 30))])
    assert m3.compute_metrics(m3.results)['abs_rel'] == pytest.approx(1.0)
    with pytest.raises(ValueError, match='crop'):
        DepthMetric(crop='kitti')


def test_food_region():
    gt = torch.ones(4, 4)
    pred = torch.ones(4, 4)
    pred[0, 0] = 2.0
    mask = torch.zeros(4, 4, dtype=torch.bool)
    mask[0, :2] = True
    m = DepthMetric(region='food', min_valid_pixels=1)
    m.process(None, [dict(pred_depth=pred, gt_depth=gt, food_mask=mask)])
    assert m.compute_metrics(m.results)['abs_rel'] == pytest.approx(0.5)


def dav2_validation(preds, depths, valid_masks, min_depth, max_depth):
    """metric_depth/train.py's validation loop restated: align_corners=True resize, valid mask
    & min <= gt <= max, skip < 10 valid pixels, eval_depth in float32, mean over images."""
    sums, n = {}, 0
    for pred, depth, vm in zip(preds, depths, valid_masks):
        pred = F.interpolate(pred[None, None], depth.shape[-2:], mode='bilinear',
                             align_corners=True)[0, 0]
        valid = (vm == 1) & (depth >= min_depth) & (depth <= max_depth)
        if valid.sum() < 10:
            continue
        cur = dav2_eval_depth(pred[valid], depth[valid])
        for k, v in cur.items():
            sums[k] = sums.get(k, 0.0) + v
        n += 1
    return {k: v / n for k, v in sums.items()}, n


def test_default_protocol_equals_dav2_validation_loop():
    gen = torch.Generator().manual_seed(7)
    preds, depths, vms = [], [], []
    for i, (h, w) in enumerate([(9, 12), (7, 10), (8, 8), (6, 6)]):
        depth = torch.rand(2 * h, 2 * w, generator=gen) * 0.8 + 0.25       # 0.25 .. 1.05 m
        vm = (torch.rand(depth.shape, generator=gen) > 0.1).float()
        if i == 3:
            vm.zero_()
            vm[0, :6] = 1                                                  # 6 valid: skipped
        pred = torch.rand(h, w, generator=gen) * 2.5 + 0.3                 # far off, > max_depth
        depths.append(depth)
        vms.append(vm)
        preds.append(pred)
    ref, n = dav2_validation(preds, depths, vms, 1e-3, 1.0)
    assert n == 3
    m = DepthMetric(min_depth=1e-3, max_depth=1.0)
    m.process(None, [dict(pred_depth=p[None], gt_depth=(d * v)[None])
                     for p, d, v in zip(preds, depths, vms)])
    r = m.compute_metrics(m.results)
    assert r['num_images'] == 3
    for k, v in ref.items():
        assert r[k] == pytest.approx(v, rel=1e-5), k
    assert {k: getattr(m, k) for k in DAV2_PROTOCOL} == DAV2_PROTOCOL
    # Each deviation is an option and changes the numbers on these predictions.
    for kw in [dict(clamp_pred=True), dict(resize_align_corners=False),
               dict(min_valid_pixels=1)]:
        m2 = DepthMetric(min_depth=1e-3, max_depth=1.0, **kw)
        m2.process(None, [dict(pred_depth=p[None], gt_depth=(d * v)[None])
                          for p, d, v in zip(preds, depths, vms)])
        assert m2.compute_metrics(m2.results)['abs_rel'] != pytest.approx(ref['abs_rel'],
                                                                         rel=1e-4), kw
    # The clamp hides far-off predictions: abs_rel drops a lot with max_depth = 1 m.
    mc = DepthMetric(min_depth=1e-3, max_depth=1.0, clamp_pred=True)
    mc.process(None, [dict(pred_depth=p[None], gt_depth=(d * v)[None])
                      for p, d, v in zip(preds, depths, vms)])
    assert mc.compute_metrics(mc.results)['abs_rel'] < 0.8 * ref['abs_rel']
    with pytest.raises(ValueError, match='min_valid_pixels'):
        DepthMetric(min_valid_pixels=0)


def test_selfsup_bases_spell_out_monodepth2_protocol():
    import os.path as osp

    from mmengine.config import Config
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    for name in ('kitti_eigen_zhou_640x192.py', 'synthkitti_road.py'):
        cfg = Config.fromfile(osp.join(root, 'configs/_base_/datasets', name))
        ev = cfg.val_evaluator if isinstance(cfg.val_evaluator, list) else [cfg.val_evaluator]
        dm = [e for e in ev if e['type'] == 'DepthMetric'][0]
        for k, v in MONODEPTH2_PROTOCOL.items():
            assert dm.get(k) == v, (name, k)


def test_volume_errors_concrete():
    e = volume_errors(np.array([110.0, 40.0, 330.0]), np.array([100.0, 50.0, 300.0]))
    assert e['mae_ml'] == pytest.approx((10 + 10 + 30) / 3)
    assert e['mre'] == pytest.approx((0.1 + 0.2 + 0.1) / 3)
    assert e['mae_percent'] == pytest.approx(100 * (50 / 3) / 150)
    assert e['bias_ml'] == pytest.approx((10 - 10 + 30) / 3)


def test_volume_metric_from_depth_and_histogram(tmp_path):
    from mmext.synthetic.nutrition5k_solids import Box, TableScene, intrinsics, render_scene
    K = intrinsics(154.0, 154.0, 79.5, 59.5)
    box = Box(0.0, 0.0, 0.06, 0.05, 0.03)
    depth, label, _ = render_scene(TableScene(K, (120, 160), 0.359, solids=[box]))
    hist = tmp_path / 'hist.png'
    m = VolumeMetric(hist_path=str(hist))
    m.process(None, [dict(pred_depth=torch.from_numpy(depth), food_mask=label == 1, K=K,
                          gt_volume=box.volume),
                     dict(pred_volume=1.1e-4, gt_volume=1e-4),
                     dict(pred_volume=5e-5, gt_volume=0.0)])        # no food: skipped
    r = m.compute_metrics(m.results)
    assert r['num_dishes'] == 2
    # Dish 1: compute_volume of the depth (box within 3% at this 160x120 resolution);
    # dish 2: +10 mL on 100 mL.
    from mmext.geometry import compute_volume
    v = compute_volume(torch.from_numpy(depth)[None], torch.from_numpy(K),
                       torch.from_numpy(label == 1)[None]).item() * 1e6
    assert m.results[0]['pred_ml'] == pytest.approx(v, rel=1e-9)
    assert abs(v / (box.volume * 1e6) - 1) < 0.03
    assert r['bias_ml'] == pytest.approx((m.results[0]['pred_ml'] - 90.0 + 10.0) / 2)
    assert hist.exists() and hist.stat().st_size > 1000
    assert '| 50-100 | 1 |' in m.size_table(np.array([60.0, 120.0]), np.array([55.0, 110.0]))


def test_volume_metric_histogram_goes_to_the_visualizer_dir(tmp_path):
    from mmengine.visualization import Visualizer
    Visualizer.get_instance('volume_metric_test', vis_backends=[dict(type='LocalVisBackend')],
                            save_dir=str(tmp_path))
    m = VolumeMetric()
    m.process(None, [dict(pred_volume=1.1e-4, gt_volume=1e-4),
                     dict(pred_volume=0.8e-4, gt_volume=1e-4)])
    m.compute_metrics(m.results)
    assert (tmp_path / 'vis_data' / 'volume_error_hist.png').exists()
