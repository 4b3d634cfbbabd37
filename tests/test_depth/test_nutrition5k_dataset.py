"""Nutrition5kDataset on synthetic trays written in the real layout."""
import numpy as np
import pytest
import torch

from mmext.depth.datasets import (LoadNutrition5kDish, Nutrition5kDataset, Nutrition5kFormatError,
                                  PackDepthInputs, RandomDepthFlip, RandomRotateK,
                                  RandomScaleCropK, ResizeK, check_depth_units, read_depth_raw,
                                  read_dish_metadata)
from mmext.geometry import compute_volume

K_SMALL = (308.0, 308.0, 159.5, 119.5)


def _infos(ds):
    return [ds.get_data_info(i) for i in range(len(ds))]


def _ds(root, split='depth_train_ids.txt', **kw):
    # Ring sizes of the 640x480 defaults (5 + 20 px) scaled to this half resolution.
    return Nutrition5kDataset(str(root), f'dish_ids/splits/{split}', K=K_SMALL,
                              cache_dir=str(root / 'cache'), ring_inner=3, ring_width=10, **kw)


def test_layout_split_skips_and_volumes(n5k_root):
    root, gt = n5k_root
    ds = _ds(root, mask_dir='masks')
    ds_test = _ds(root, split='depth_test_ids.txt', mask_dir='masks')
    kept = {d['dish_id'] for d in _infos(ds)} | {d['dish_id'] for d in _infos(ds_test)}
    skipped_depth = ds.skipped['no_depth'] + ds_test.skipped['no_depth']
    skipped_units = ds.skipped['units'] + ds_test.skipped['units']
    assert skipped_depth == gt['no_depth'] and skipped_units == gt['mm_units']
    assert len(kept) == 12 - 2
    for info in _infos(ds) + _infos(ds_test):
        # Labels from GT depth + K + mask agree with the analytic volumes (1.5% at this
        # half resolution; the geometry tests check 1% at 640x480).
        assert info['gt_volume'] * 1e6 == pytest.approx(gt['volumes_ml'][info['dish_id']],
                                                          rel=0.015)
    # Cached: a second instance reads the JSON cache (same labels).
    again = _ds(root, mask_dir='masks')
    assert [d['gt_volume'] for d in _infos(again)] == [d['gt_volume'] for d in _infos(ds)]


def test_derived_masks_give_volume_labels(n5k_root):
    """Default derived masks ('plate': above the plate the food stands on) give labels close
    to the analytic volumes on twin trays; the old 'table' masks take the plate as food."""
    root, gt = n5k_root
    ds = _ds(root)                                        # no mask_dir: masks from depth
    old = _ds(root, mask_method='table')
    assert len(ds) > 0 and ds.mask_method == 'plate'
    rel, rel_old = [], []
    for info, info_old in zip(_infos(ds), _infos(old)):
        assert info['mask_path'].endswith('.png') and info['mask_path'] != info_old['mask_path']
        true = gt['volumes_ml'][info['dish_id']]
        rel.append(info['gt_volume'] * 1e6 / true - 1)
        rel_old.append(info_old['gt_volume'] * 1e6 / true - 1)
    assert max(abs(r) for r in rel) < 0.06, rel
    assert max(rel_old) > 1.0, rel_old          # the plate counted as food (> +100%)
    with pytest.raises(ValueError, match='mask_method'):
        _ds(root, split='depth_test_ids.txt', mask_method='plates')


def test_pipeline_keeps_geometry_consistent(n5k_root):
    root, gt = n5k_root
    ds = _ds(root, mask_dir='masks')
    info = dict(_infos(ds)[0])
    pipe = [LoadNutrition5kDish(), RandomScaleCropK((168, 224), (180, 240), (1.0, 1.2)),
            RandomDepthFlip(prob=1.0), RandomRotateK(max_deg=4, prob=1.0)]
    np.random.seed(0)
    res = dict(info)
    for t in pipe:
        res = t(res)
    assert res['img'].shape == (168, 224, 3) and res['gt_depth'].shape == (168, 224)
    vol = compute_volume(torch.from_numpy(res['gt_depth'].astype(np.float64))[None],
                         torch.from_numpy(res['K']), torch.from_numpy(res['food_mask'])[None])
    # Same metric geometry after scale/crop/flip/rotate: volume within 4% of the label
    # (nearest resampling at ~half resolution costs some accuracy at the edges).
    assert vol.item() == pytest.approx(info['gt_volume'], rel=0.04)
    packed = PackDepthInputs()(res)
    s = packed['data_samples']
    assert packed['inputs'].shape == (3, 168, 224) and packed['inputs'].dtype == torch.uint8
    assert s.gt_depth.shape == (1, 168, 224) and s.K.shape == (3, 3)
    assert s.dish_id == info['dish_id']


def test_resize_updates_K(n5k_root):
    root, _ = n5k_root
    info = dict(_infos(_ds(root, mask_dir='masks'))[0])
    res = ResizeK((120, 160))(LoadNutrition5kDish()(info))
    assert res['K'][0, 0] == pytest.approx(154.0) and res['K'][0, 2] == pytest.approx(79.5)


def test_unit_check_and_format_errors(tmp_path, n5k_root):
    root, gt = n5k_root
    dish = gt['mm_units'][0]
    path = str(root / 'imagery' / 'realsense_overhead' / dish / 'depth_raw.png')
    msg = check_depth_units(read_depth_raw(path), path)
    assert msg is not None and dish in msg and 'units' in msg
    bad = tmp_path / 'depth_raw.png'
    import cv2
    cv2.imwrite(str(bad), np.zeros((4, 4), np.uint8))
    with pytest.raises(Nutrition5kFormatError, match='16-bit'):
        read_depth_raw(str(bad))
    csv_bad = tmp_path / 'meta.csv'
    csv_bad.write_text('dish_id,total_calories,total_mass,fat,carb,protein\n')
    with pytest.raises(Nutrition5kFormatError, match='no header'):
        read_dish_metadata([str(csv_bad)])


def test_metadata_csv(n5k_root):
    root, gt = n5k_root
    meta = read_dish_metadata([str(root / 'metadata' / 'dish_metadata_cafe1.csv')])
    assert set(meta) == set(gt['dish_ids'])
    m = meta[gt['dish_ids'][0]]
    assert m['total_mass'] > 0 and len(m['ingredients']) >= 1


def test_photometric_and_label_noise_transforms():
    from mmext.depth.datasets import DepthColorJitter, DepthGaussianBlur, DepthNoise, MaskMorphology
    rng = np.random.default_rng(0)
    img = rng.integers(0, 255, (40, 50, 3)).astype(np.uint8)
    depth = np.full((40, 50), 0.36, np.float32)
    depth[0, 0] = 0
    mask = np.zeros((40, 50), bool)
    mask[10:20, 10:30] = True
    res = dict(img=img.copy(), gt_depth=depth.copy(), food_mask=mask.copy(), K=np.eye(3))
    np.random.seed(1)
    res = DepthNoise(rel_std=0.01, dropout=0.2, prob=1.0)(res)
    d = res['gt_depth']
    assert d[0, 0] == 0 and 0.1 < (d == 0).mean() < 0.3          # dropout -> invalid pixels
    kept = d[d > 0]
    assert abs(kept.std() / 0.36 - 0.01) < 0.003                  # ~1% multiplicative noise
    sizes = set()
    for seed in range(6):
        np.random.seed(seed)
        sizes.add(int(MaskMorphology(max_px=2, prob=1.0)(dict(food_mask=mask.copy()))[
            'food_mask'].sum()))
    assert min(sizes) < mask.sum() < max(sizes)                   # both erosion and dilation
    np.random.seed(0)
    out = DepthColorJitter(0.3, 0.3, 0.3, prob=1.0)(dict(img=img.copy()))['img']
    assert out.shape == img.shape and out.dtype == np.uint8 and not np.array_equal(out, img)
    blurred = DepthGaussianBlur((1.0, 1.0), prob=1.0)(dict(img=img.copy()))['img']
    assert blurred.std() < img.std()
