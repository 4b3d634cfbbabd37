"""tools/dataset_converters/make_road_masks.py with a tiny random mmdet panoptic model
(PanopticFPN, ResNet-18, 16-channel FPN) on the synthetic KITTI twin's frames: files in the
documented format, road from the model's stuff class, batched, resumable."""
import os
import os.path as osp
import shutil

import numpy as np
import pytest
import torch

from tests._helpers.tools import run_tool
from tests._helpers.toy_data import REPO

TOOL = osp.join(REPO, 'tools', 'dataset_converters', 'make_road_masks.py')
CLASSES = ('car', 'person', 'bicycle', 'road', 'sky')


def tiny_panoptic(tmp_path):
    import mmdet
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from mmdet.registry import MODELS
    base = osp.join(osp.dirname(mmdet.__file__), '.mim', 'configs', 'panoptic_fpn',
                    'panoptic-fpn_r50_fpn_1x_coco.py')
    cfg = Config.fromfile(base)
    m = cfg.model
    m.backbone.update(depth=18, init_cfg=None, frozen_stages=-1)
    m.neck.update(in_channels=[64, 128, 256, 512], out_channels=16)
    m.rpn_head.update(in_channels=16, feat_channels=16)
    m.roi_head.bbox_roi_extractor.out_channels = 16
    m.roi_head.bbox_head.update(in_channels=16, fc_out_channels=32, num_classes=3)
    m.roi_head.mask_roi_extractor.out_channels = 16
    m.roi_head.mask_head.update(in_channels=16, conv_out_channels=16, num_classes=3)
    m.semantic_head.update(num_things_classes=3, num_stuff_classes=2, in_channels=16,
                           inner_channels=16,
                           norm_cfg=dict(type='GN', num_groups=4, requires_grad=True))
    m.panoptic_fusion_head.update(num_things_classes=3, num_stuff_classes=2)
    m.test_cfg.panoptic.stuff_area_limit = 10
    cfg.test_dataloader.dataset.pipeline = [
        dict(type='LoadImageFromFile'), dict(type='Resize', scale=(256, 96), keep_ratio=True),
        dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                                              'scale_factor'))]
    cfg_path = str(tmp_path / 'panoptic_tiny.py')
    cfg.dump(cfg_path)
    init_default_scope('mmdet')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    # the semantic head says "road" (first stuff class) everywhere
    logits = model.semantic_head.conv_logits
    torch.nn.init.zeros_(logits.weight)
    with torch.no_grad():
        logits.bias.zero_()
        logits.bias[0] = 10.0
    ckpt = str(tmp_path / 'panoptic_tiny.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict(dataset_meta=dict(
        classes=CLASSES, thing_classes=CLASSES[:3], stuff_classes=CLASSES[3:]))), ckpt)
    return cfg_path, ckpt


@pytest.fixture(autouse=True)
def _restore_scope():
    """mmdet's init_detector (in the tool) makes 'mmdet' the default scope of the process;
    later tests build mmext modules by name."""
    from mmengine.registry import DefaultScope
    before = DefaultScope.get_current_instance()
    yield
    from mmengine.registry import init_default_scope
    init_default_scope(before.scope_name if before is not None else 'mmext')


def test_tool_writes_resumable_masks(tmp_path, kitti_synth):
    src, _ = kitti_synth
    root = str(tmp_path / 'twin')
    shutil.copytree(src, root, ignore=shutil.ignore_patterns('masks'))
    cfg, ckpt = tiny_panoptic(tmp_path)
    split = 'splits/tiny/train_files.txt'
    args = [cfg, ckpt, root, split, '--mask-root', 'gen_masks', '--batch-size', '2',
            '--class-map', 'car=car', 'person=pedestrian', 'bicycle=cyclist']
    code, err = run_tool(TOOL, *args)
    assert code == 0, err
    from mmext.selfsup.datasets import load_road_instance_masks, mask_path, read_split_file
    lines = read_split_file(osp.join(root, split))
    files = [mask_path(osp.join(root, 'gen_masks'), ln.folder, ln.frame_index, ln.side)
             for ln in lines]
    assert all(osp.isfile(f) for f in files)
    for f in files:
        m = load_road_instance_masks(f, ('car', 'pedestrian', 'cyclist'), shape=(40, 128))
        # every pixel not claimed by an object is road (the head's stuff class)
        assert np.array_equal(m['road_mask'], m['instance_map'] == 0)
        assert (m['instance_labels'] >= 0).all()
    # resumable: a second run skips every file; --overwrite redoes them
    stamp = [os.stat(f).st_mtime_ns for f in files]
    code, err = run_tool(TOOL, *args)
    assert code == 0 and [os.stat(f).st_mtime_ns for f in files] == stamp
    code, err = run_tool(TOOL, *args, '--overwrite')
    assert code == 0, err
    # a road class the model does not have is a one-line user error
    code, err = run_tool(TOOL, *args[:4], '--mask-root', 'x', '--road-classes', 'street')
    assert code == 2 and 'street' in err
