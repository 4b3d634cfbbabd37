"""Tiny random stand-ins of the thermal pseudo-label chain's models, of the real types.

* an mmdet YOLOX teacher: an mmdet config (``default_scope='mmdet'``, as a model-zoo
  config) and a checkpoint written here;
* SAM 2 of the ``sam2`` package and transformers' SAM 2: re-exported from
  :mod:`tests._helpers.sam2_standins` (shared with the food tests).
"""
import os.path as osp

from .sam2_standins import TINY_SAM2_OVERRIDES, write_hf_sam2, write_sam2_checkpoint  # noqa: F401

TEACHER_CLASSES = ('person', 'bicycle', 'car', 'motorcycle')

_TEACHER_CFG = """
default_scope = 'mmdet'
model = dict(
    type='YOLOX',
    data_preprocessor=dict(type='DetDataPreprocessor', pad_size_divisor=32),
    backbone=dict(type='CSPDarknet', deepen_factor=0.33, widen_factor=0.125,
                  out_indices=(2, 3, 4), norm_cfg=dict(type='BN', momentum=0.03, eps=0.001),
                  act_cfg=dict(type='Swish')),
    neck=dict(type='YOLOXPAFPN', in_channels=[32, 64, 128], out_channels=32,
              num_csp_blocks=1, norm_cfg=dict(type='BN', momentum=0.03, eps=0.001),
              act_cfg=dict(type='Swish')),
    bbox_head=dict(type='YOLOXHead', num_classes=4, in_channels=32, feat_channels=32,
                   norm_cfg=dict(type='BN', momentum=0.03, eps=0.001),
                   act_cfg=dict(type='Swish')),
    train_cfg=dict(assigner=dict(type='SimOTAAssigner', center_radius=2.5)),
    test_cfg=dict(score_thr=0.0, nms=dict(type='nms', iou_threshold=0.65)))
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='Pad', pad_to_square=True, pad_val=dict(img=(114.0, 114.0, 114.0))),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
test_dataloader = dict(dataset=dict(type='CocoDataset', pipeline=test_pipeline))
"""


def write_mmdet_teacher(folder: str):
    """Write an mmdet YOLOX config and a random-weight checkpoint; return both paths."""
    import torch
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    from mmdet.registry import MODELS
    cfg_path = osp.join(folder, 'yolox_tiny_teacher_coco.py')
    with open(cfg_path, 'w', encoding='utf-8') as f:
        f.write(_TEACHER_CFG)
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(Config.fromfile(cfg_path).model)
        model.init_weights()
    ckpt = osp.join(folder, 'yolox_tiny_teacher_coco.pth')
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(dataset_meta=dict(classes=TEACHER_CLASSES))), ckpt)
    return cfg_path, ckpt
