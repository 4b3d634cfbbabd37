"""A dataset with ``generate_if_missing`` rewrites a synthetic twin whose stamp names other
arguments (stale data would otherwise be read silently) and keeps a current one."""
import json
import os.path as osp

import pytest

from mmext.selfsup.datasets import KITTIRawDataset
from mmext.synthetic.kitti_road import write_synthetic_kitti

SYNTH = dict(num_drives=2, frames_per_drive=4, image_size=(64, 32), seed=0)


def _dataset(root, synth):
    return KITTIRawDataset(data_root=root, ann_file='splits/synthetic/train_files.txt',
                           generate_if_missing=synth, pipeline=[], lazy_init=False)


def test_stale_twin_is_rewritten_current_one_kept(tmp_path):
    root = str(tmp_path / 'twin')
    write_synthetic_kitti(root, **SYNTH)
    stamp = osp.join(root, 'synthetic_info.json')
    before = json.load(open(stamp))['content']['sha256']
    _dataset(root, SYNTH)                                     # current: kept
    assert json.load(open(stamp))['content']['sha256'] == before
    with pytest.warns(UserWarning, match='writing it again'):
        _dataset(root, dict(SYNTH, seed=1))                   # other arguments: rewritten
    after = json.load(open(stamp))
    assert after['params']['seed'] == 1 and after['content']['sha256'] != before
