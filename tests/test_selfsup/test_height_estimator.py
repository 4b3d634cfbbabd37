"""Per-instance heights: the crop dataset, the registered ObjectHeightEstimator trained by
tools/train.py on the tiny twin, and the export of its predictions into the mask files,
which the FUMET loss then reads."""
import os.path as osp
import shutil

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmext.registry import DATASETS, MODELS
from tests._helpers.tools import TRAIN, run_tool
from tests._helpers.toy_data import REPO

CFG = osp.join(REPO, 'configs', 'selfsup',
               'height-estimator_r18c16_synthkitti-crops_64x64_cpu.py')
EXPORT = osp.join(REPO, 'tools', 'dataset_converters', 'export_instance_heights.py')


def tiny_config(path, root):
    text = f"""
_base_ = {CFG!r}
_crops = dict(type='ObjectCropDataset', data_root={root!r}, mask_root='masks',
              crop_size=(64, 64), min_area=4, metainfo=dict(classes={{{{_base_.classes}}}}))
model = dict(backbone=dict(base_channels=4), hidden=8)
train_dataloader = dict(batch_size=4, dataset=dict(_crops, ann_file='splits/tiny/train_files.txt'))
val_dataloader = dict(batch_size=4, dataset=dict(_crops, ann_file='splits/tiny/val_files.txt'))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=1, val_interval=1)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1))
"""
    with open(path, 'w') as f:
        f.write(text)
    return path


def test_crop_dataset_and_model(kitti_synth):
    from mmengine.registry import init_default_scope
    init_default_scope('mmext')
    root, _ = kitti_synth
    ds = DATASETS.build(dict(type='ObjectCropDataset', data_root=root,
                             ann_file='splits/tiny/train_files.txt', crop_size=(32, 24),
                             min_area=4))
    assert len(ds) > 0
    item = ds[0]
    assert item['inputs'].shape == (3, 24, 32) and item['inputs'].dtype == torch.uint8
    s = item['data_samples']
    assert float(s.gt_height) > 0 and s.box_hw.shape == (2, )
    model = MODELS.build(dict(type='ObjectHeightEstimator', num_classes=3,
                              class_heights=(1.5, 1.7, 1.7),
                              backbone=dict(type='ResNet', depth=18, base_channels=4,
                                            out_indices=(3, ), init_cfg=None)))
    model.eval()
    data = model.data_preprocessor(dict(inputs=[item['inputs']], data_samples=[s]), True)
    # untrained: exactly the class height
    pred = model(data['inputs'], data['data_samples'], mode='tensor')
    assert pred.item() == pytest.approx(model.class_heights[int(s.label)].item())
    loss = model(data['inputs'], data['data_samples'], mode='loss')['loss_height']
    assert loss.item() == pytest.approx(abs(pred.item() - float(s.gt_height)), rel=1e-5)


def test_train_export_and_use(tmp_path, kitti_synth):
    src, _ = kitti_synth
    root = str(tmp_path / 'twin')
    shutil.copytree(src, root)
    cfg = tiny_config(str(tmp_path / 'h.py'), root)
    work = str(tmp_path / 'work')
    code, err = run_tool(TRAIN, cfg, '--work-dir', work)
    assert code == 0, err
    ckpt = osp.join(work, 'epoch_1.pth')
    split = 'splits/tiny/train_files.txt'
    # the twin's files already hold (true) heights: resumable export skips them
    code, err = run_tool(EXPORT, cfg, ckpt, root, split)
    assert code == 0, err
    from mmext.selfsup.datasets import load_road_instance_masks, mask_path, read_split_file
    line = read_split_file(osp.join(root, split))[0]
    path = mask_path(osp.join(root, 'masks'), line.folder, line.frame_index, line.side)
    before = load_road_instance_masks(path, ('car', 'pedestrian', 'cyclist'))
    code, err = run_tool(EXPORT, cfg, ckpt, root, split, '--overwrite')
    assert code == 0, err
    after = load_road_instance_masks(path, ('car', 'pedestrian', 'cyclist'))
    assert np.array_equal(before['instance_map'], after['instance_map'])
    assert np.array_equal(before['road_mask'], after['road_mask'])
    h = after['instance_heights']
    known = after['instance_labels'] >= 0
    assert np.isfinite(h[known]).all()
    assert not np.allclose(h[known], before['instance_heights'][known])
    # the predictions equal the model's on the same crops
    from mmengine.runner import load_checkpoint

    from mmext.selfsup.datasets import ObjectCropDataset
    ds = ObjectCropDataset(data_root=root, ann_file=split, crop_size=(64, 64), min_area=1,
                           metainfo=dict(classes=('car', 'pedestrian', 'cyclist')))
    c = Config.fromfile(cfg)
    model = MODELS.build(c.model)
    load_checkpoint(model, ckpt, map_location='cpu')
    model.eval()
    first = [i for i in range(len(ds)) if ds.get_data_info(i)['mask_path'] == path]
    for i in first:
        item = ds[i]
        batch = model.data_preprocessor(dict(inputs=[item['inputs']],
                                             data_samples=[item['data_samples']]), False)
        with torch.no_grad():
            p = model(batch['inputs'], batch['data_samples'], mode='tensor').item()
        k = ds.get_data_info(i)['instance'] - 1
        assert p == pytest.approx(float(h[k]), rel=1e-5)
