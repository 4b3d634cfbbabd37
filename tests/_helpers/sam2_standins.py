"""Tiny random SAM 2 stand-ins of the real types, shared by the thermal and food tests.

* SAM 2 of the ``sam2`` package: the real config class shrunk with hydra overrides, random
  weights saved as a ``.pt`` checkpoint in the package's format (``{'model': state_dict}``);
* transformers' ``Sam2Model`` + ``Sam2Processor`` saved with ``save_pretrained``.
"""

TINY_SAM2_OVERRIDES = [
    '++model.image_size=256', '++model.image_encoder.trunk.embed_dim=16',
    '++model.image_encoder.trunk.num_heads=1', '++model.image_encoder.trunk.stages=[1,1,2,1]',
    '++model.image_encoder.trunk.global_att_blocks=[3]',
    '++model.image_encoder.trunk.window_pos_embed_bkg_spatial_size=[4,4]',
    '++model.image_encoder.trunk.window_spec=[4,4,4,4]',
    '++model.image_encoder.neck.backbone_channel_list=[128,64,32,16]']


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
