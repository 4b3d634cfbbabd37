"""KITTI: an unreadable frame names the file, the drive folder and the frame index."""
import os.path as osp
import shutil

import pytest

from mmext.selfsup.datasets import KITTIRawDataset
from mmext.utils.data_errors import DataFileError

TRAIN = 'splits/tiny/train_files.txt'


def test_zero_byte_frame_names_file_and_frame(kitti_synth, tmp_path):
    root, _ = kitti_synth
    copy = str(tmp_path / 'kitti')
    shutil.copytree(root, copy)
    ds = KITTIRawDataset(data_root=copy, ann_file=TRAIN, pipeline=[dict(type='LoadKITTIFrames')])
    info = ds.get_data_info(1)
    bad = info['img_paths'][-1]  # a neighbour frame
    open(bad, 'wb').close()
    with pytest.raises(DataFileError) as err:
        ds[1]
    text = str(err.value)
    assert bad in text and f"folder={info['folder']}" in text
    assert f"frame_index={info['frame_index']}" in text and '\n' not in text
    assert osp.getsize(bad) == 0
