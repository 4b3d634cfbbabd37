"""Cityscapes sequences: the loader on the synthetic twin of the official layout (camera
json, leftImg8bit_sequence frames, masks), the bonnet crop and one training epoch of the
CPU config through tools/train.py."""
import json
import os.path as osp

import numpy as np
import pytest
from mmengine.registry import init_default_scope

from mmext.registry import DATASETS
from mmext.synthetic.cityscapes_road import write_synthetic_cityscapes
from tests._helpers.tools import TRAIN, run_tool
from tests._helpers.toy_data import REPO

CFG = osp.join(REPO, 'configs', 'selfsup', 'fumet_r18c16_synthcityscapes_256x80_cpu.py')


@pytest.fixture(scope='module')
def twin(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('cs'))
    info = write_synthetic_cityscapes(root, num_sequences=3, frames_per_sequence=4,
                                      image_size=(128, 64), seed=3)
    return root, info


def test_loader_reads_the_layout_and_crop_shifts_k(twin):
    root, info = twin
    init_default_scope('mmext')
    pipe = [dict(type='LoadKITTIFrames'), dict(type='LoadRoadInstanceMasks'),
            dict(type='CropFrames', top=0.125, bottom=0.25)]
    ds = DATASETS.build(dict(type='CityscapesSequenceDataset', data_root=root,
                             ann_file='splits/cityscapes_synth/train_files.txt',
                             mask_root='masks', image_size=(128, 64),
                             camera_image_size=(128, 64), pipeline=pipe))
    assert len(ds) == 4                                   # 2 sequences x 2 targets
    d = ds.get_data_info(0)
    assert d['img_paths'][1].endswith('_000000_leftImg8bit.png')
    assert d['img_paths'][0].endswith('_000001_leftImg8bit.png')
    assert np.allclose(d['K'], info['K']) and d['camera_height'] == pytest.approx(1.22)
    out = ds[0]
    assert out['frames'].shape == (3, 64 - 8 - 16, 128, 3)
    assert out['road_mask'].shape == (40, 128)
    assert out['K'][1, 2] == pytest.approx(info['K'][1, 2] - 8)
    # the bonnet band (bottom 20%) is gone with the crop
    assert not (out['frames'][0] == (60, 60, 64)).all(-1).all(-1).any()
    # json intrinsics of 2048 x 1024 images scale to the frame size
    cam = json.load(open(next(iter(sorted(__import__('glob').glob(
        osp.join(root, 'camera', 'train', '*', '*.json')))))))
    ds2 = DATASETS.build(dict(type='CityscapesSequenceDataset', data_root=root,
                              ann_file='splits/cityscapes_synth/train_files.txt',
                              image_size=(128, 64), camera_image_size=(256, 128)))
    K2 = ds2.get_data_info(0)['K']
    assert K2[0, 0] == pytest.approx(cam['intrinsic']['fx'] / 2)
    assert K2[0, 2] == pytest.approx((cam['intrinsic']['u0'] + 0.5) / 2 - 0.5)


def test_bad_split_line_names_the_file(tmp_path, twin):
    root, _ = twin
    bad = tmp_path / 'bad.txt'
    bad.write_text('train/aachen\n')
    init_default_scope('mmext')
    with pytest.raises(ValueError, match='bad.txt:1'):
        DATASETS.build(dict(type='CityscapesSequenceDataset', data_root=root,
                            ann_file=str(bad)))


def test_cpu_config_trains_one_epoch(tmp_path, twin):
    root, _ = twin
    cfg = tmp_path / 'c.py'
    cfg.write_text(f"""
_base_ = {CFG!r}
_r = dict(type='ResNet', depth=18, base_channels=4, init_cfg=None)
model = dict(depth_encoder=dict(backbone=dict(_r, in_channels=3)),
             depth_decoder=dict(num_ch_dec=(4, 4, 8, 8, 8)),
             pose_net=dict(hidden=8, encoder=dict(backbone=dict(_r, in_channels=6))))
train_dataloader = dict(batch_size=2, dataset=dict(data_root={root!r}, image_size=(128, 64),
                                                   camera_image_size=(128, 64),
                                                   generate_if_missing=None))
train_cfg = dict(max_epochs=1)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1))
randomness = dict(seed=0)
""")
    code, err = run_tool(TRAIN, str(cfg), '--work-dir', str(tmp_path / 'work'))
    assert code == 0, err
    assert osp.exists(tmp_path / 'work' / 'epoch_1.pth')
