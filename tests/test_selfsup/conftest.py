"""A tiny synthetic KITTI-raw twin shared by the selfsup data tests (written once per
session; tests that damage it work on a copy)."""
import pytest

from mmext.synthetic.kitti_road import write_synthetic_kitti

# 2 drives x 6 frames at 128 x 40: train 3 + val 1 lines (drive 1), test 4 lines (drive 2)
KITTI_SYNTH_KW = dict(num_drives=2, frames_per_drive=6, image_size=(128, 40), seed=7,
                      split_name='tiny')


@pytest.fixture(scope='session')
def kitti_synth(tmp_path_factory):
    """``(root, info)`` of the tiny twin; ``info`` is what ``write_synthetic_kitti`` returns."""
    root = str(tmp_path_factory.mktemp('kitti_synth'))
    return root, write_synthetic_kitti(root, **KITTI_SYNTH_KW)
