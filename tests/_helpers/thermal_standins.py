"""Tiny random stand-ins of the thermal pseudo-label chain's models, of the real types.

* an mmdet YOLOX teacher: an mmdet config (``default_scope='mmdet'``, as a model-zoo
  config) and a checkpoint written here;
* SAM 2 of the ``sam2`` package: the real config class shrunk with hydra overrides, random
  weights saved as a ``.pt`` checkpoint in the package's format (``{'model': state_dict}``);
* transformers' ``Sam2Model`` + ``Sam2Processor`` saved with ``save_pretrained``.
"""
import os.path as osp

TEACHER_CLASSES = ('person', 'bicycle', 'car', 'motorcycle')

TINY_SAM2_OVERRIDES = [
    '++model.image_size=256', '++model.image_encoder.trunk.embed_dim=16',
    '++model.image_encoder.trunk.num_heads=1', '++model.image_encoder.trunk.stages=[1,1,2,1]',
    '++model.image_encoder.trunk.global_att_blocks=[3]',
    '++model.image_encoder.trunk.window_pos_embed_bkg_spatial_size=[4,4]',
    '++model.image_encoder.trunk.window_spec=[4,4,4,4]',
    '++model.image_encoder.neck.backbone_channel_list=[128,64,32,16]']

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


def write_sam2_checkpoint(path: str, config: str = 'configs/sam2.1/sam2.1_hiera_t.yaml'):
    """Random weights of the shrunk ``config`` model, in the sam2 package's format."""
    import torch
    from sam2.build_sam import build_sam2
    torch.manual_seed(0)
    model = build_sam2(config, ckpt_path=None, device='cpu',
                       hydra_overrides_extra=list(TINY_SAM2_OVERRIDES))
    torch.save(dict(model=model.state_dict()), path)
    return path


def write_hf_sam2(folder: str) -> str:
    """A tiny random transformers SAM 2 saved with ``save_pretrained``; returns the folder."""
    import torch
    from transformers import Sam2Config, Sam2ImageProcessor, Sam2Model, Sam2Processor
    torch.manual_seed(0)
    cfg = Sam2Config(
        vision_config=dict(
            backbone_config=dict(
                model_type='sam2_hiera_det_model', hidden_size=16,
                embed_dim_per_stage=[16, 32, 64, 128], blocks_per_stage=[1, 1, 2, 1],
                num_attention_heads_per_stage=[1, 1, 1, 1], window_size_per_stage=[4] * 4,
                global_attention_blocks=[3], image_size=[256, 256],
                window_positional_embedding_background_size=[4, 4]),
            backbone_channel_list=[128, 64, 32, 16],
            backbone_feature_sizes=[[64, 64], [32, 32], [16, 16]], fpn_hidden_size=32),
        prompt_encoder_config=dict(hidden_size=32, image_size=256, patch_size=16),
        mask_decoder_config=dict(hidden_size=32, mlp_dim=64, num_hidden_layers=1,
                                 num_attention_heads=2, iou_head_hidden_dim=32))
    Sam2Model(cfg).save_pretrained(folder)
    Sam2Processor(image_processor=Sam2ImageProcessor(
        size={'height': 256, 'width': 256})).save_pretrained(folder)
    return folder
