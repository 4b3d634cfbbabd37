"""FLIR: a zero-byte thermal JPEG read in a DataLoader worker ends in one line naming the
file and the image id; unpaired frames skipped are listed by name."""
import os.path as osp

import pytest
from torch.utils.data import DataLoader

from mmext.apis.runner import _one_line_message
from mmext.detection.datasets import FLIRDataset
from mmext.synthetic.flir import SyntheticFLIRSpec, generate_synthetic_flir
from mmext.utils import data_errors
from mmext.utils.data_errors import DataFileError


def test_zero_byte_jpeg_in_a_worker_and_skipped_unpaired(tmp_path, monkeypatch):
    root = str(tmp_path)
    generate_synthetic_flir(root, SyntheticFLIRSpec(
        splits={'train': 4}, thermal_size=(64, 48), rgb_size=(80, 60), missing_rgb_ratio=0.5,
        seed=2))
    monkeypatch.setattr(data_errors, '_SKIPPED', {})
    ds = FLIRDataset(data_root=osp.join(root, 'train'), ann_file='thermal_annotations.json',
                     data_prefix=dict(img=''), filter_cfg=None, skip_unpaired=True, rgb_dir='RGB',
                     pipeline=[dict(type='LoadImageFromFile')])
    skipped = data_errors.skipped_samples()
    names = [n for v in skipped.values() for n in v.get('no RGB partner', [])]
    assert len(names) == ds.unpaired_count > 0
    info = ds.get_data_info(0)
    open(info['img_path'], 'wb').close()
    loader = DataLoader(ds, batch_size=1, num_workers=1, collate_fn=lambda x: x)
    with pytest.raises(DataFileError) as err:
        next(iter(loader))
    line = _one_line_message(err.value)
    assert line.startswith(f"{info['img_path']}: empty file (0 bytes); sample img_id="
                           f"{info['img_id']}"), line
    assert '\n' not in line
