"""Nutrition5k: a truncated rgb.png names the file and the dish; skipped dishes by name."""
import shutil

import pytest

from mmext.depth.datasets import LoadNutrition5kDish, Nutrition5kDataset
from mmext.utils import data_errors
from mmext.utils.data_errors import DataFileError

K_SMALL = (308.0, 308.0, 159.5, 119.5)


def test_truncated_rgb_and_skipped_dishes(n5k_root, tmp_path, monkeypatch):
    src, gt = n5k_root
    root = tmp_path / 'n5k'
    shutil.copytree(src, root)
    monkeypatch.setattr(data_errors, '_SKIPPED', {})
    ds, _ = [Nutrition5kDataset(str(root), f'dish_ids/splits/depth_{s}_ids.txt', K=K_SMALL,
                                cache_dir=str(root / 'cache'), ring_inner=3, ring_width=10,
                                mask_dir='masks', pipeline=[LoadNutrition5kDish()])
             for s in ('train', 'test')]
    # missing depth_raw.png: listed by dish id (log and skipped.json)
    listed = data_errors.skipped_samples()
    no_depth = [d for v in listed.values() for d in v.get('no_depth', [])]
    assert sorted(no_depth) == sorted(gt['no_depth'])
    info = ds.get_data_info(0)
    rgb = info['img_path']
    data = open(rgb, 'rb').read()
    with open(rgb, 'wb') as f:
        f.write(data[:len(data) // 3])
    with pytest.raises(DataFileError) as err:
        ds[0]
    text = str(err.value)
    assert rgb in text and f"dish_id={info['dish_id']}" in text and '\n' not in text
