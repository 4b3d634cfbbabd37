"""The ViT-L config (Metric-Indoor-Large) matches transformers' and the official key layout,
checked on the meta device (no weights allocated)."""
import os.path as osp

import torch

ROOT = osp.join(osp.dirname(__file__), '..', '..')


def test_vitl_config_matches_hf_metric_indoor_large_layout():
    from mmengine.config import Config
    from transformers import DepthAnythingConfig, DepthAnythingForDepthEstimation, Dinov2Config
    from mmext.depth.models import convert_hf_state_dict, convert_official_state_dict
    from mmext.registry import MODELS
    from ._tiny_dav2 import to_official_state_dict
    # The published Depth-Anything-V2-Metric-Indoor-Large-hf architecture.
    bc = Dinov2Config(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16,
                      image_size=518, patch_size=14, out_indices=[5, 12, 18, 24],
                      reshape_hidden_states=False)
    hf_cfg = DepthAnythingConfig(backbone_config=bc, reassemble_hidden_size=1024,
                                 neck_hidden_sizes=[256, 512, 1024, 1024],
                                 fusion_hidden_size=256, depth_estimation_type='metric',
                                 max_depth=20)
    cfg = Config.fromfile(osp.join(ROOT, 'configs/_base_/depth_anything_v2_vitl_metric.py'))
    model_cfg = cfg.model.to_dict()
    model_cfg.pop('pretrained')
    with torch.device('meta'):
        hf = DepthAnythingForDepthEstimation(hf_cfg)
        ours = MODELS.build(model_cfg)
    own = {k: v.shape for k, v in ours.state_dict().items()
           if not k.startswith('data_preprocessor')}
    hf_sd = hf.state_dict()
    # Hub checkpoints saved by transformers 4.x use the older Dinov2 attention names.
    legacy = {}
    for k, v in hf_sd.items():
        for new, old in (('.attention.q_proj.', '.attention.attention.query.'),
                         ('.attention.k_proj.', '.attention.attention.key.'),
                         ('.attention.v_proj.', '.attention.attention.value.'),
                         ('.attention.o_proj.', '.attention.output.dense.')):
            k = k.replace(new, old)
        legacy[k] = v
    assert any('.attention.attention.query.' in k for k in legacy)
    for conv in (convert_hf_state_dict(hf_sd), convert_hf_state_dict(legacy),
                 convert_official_state_dict(to_official_state_dict(hf_sd))):
        mapped, unknown = conv
        assert not unknown
        assert set(mapped) == set(own)
        assert all(mapped[k].shape == own[k] for k in own)
    assert ours.backbone.out_indices == [4, 11, 17, 23]
