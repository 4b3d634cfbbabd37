"""Every slot config not trained through the Runner in test_slot_configs.py -- the GPU-sized
ones (real MOVi, pretrained backbones) and the CPU variants -- is built and runs its chain
for one step on videos written in the real MOVi layout (128 px): its own dataset and
pipeline (e.g. 128 -> 224 bicubic), data preprocessor, loss and backward, predict, and its
evaluators. Pretrained backbones are replaced by tiny stand-ins of the same types (the same
backbone class and source with a random tiny network, a narrow decoder); the pixel model
gets narrower convolutions."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from mmext.registry import DATASETS, METRICS, MODELS
from mmext.synthetic.movi import write_synthetic_movi
from .test_slot_configs import CPU_CONFIGS  # trained through the Runner there

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
STEP_CONFIGS = sorted(osp.basename(c) for c in glob.glob(osp.join(ROOT, 'configs', 'slots',
                                                                  '*.py'))
                      if osp.basename(c) not in CPU_CONFIGS)


def stand_in(model: dict) -> dict:
    """Replace the pretrained backbone by a random tiny one of the same type and source
    (the pixel model: narrower convolutions)."""
    if model['type'] == 'PixelSlotAutoencoder':
        model.update(cnn_channels=8)
        model['encoder'].update(in_dim=8)
        model['decoder'].update(hidden_channels=8)
        return model
    bb = model['backbone']
    if 'hf_config' in bb:  # already a tiny random network
        return model
    if bb['type'] == 'ResNetTokenBackbone':
        model['backbone'] = dict(bb, checkpoint=None)
        dim = 256 if bb.get('out_stage', 2) == 2 else None
    elif bb.get('source') == 'mmpretrain':
        model['backbone'] = dict(bb, checkpoint=None, arch=dict(
            embed_dims=32, num_layers=1, num_heads=2, feedforward_channels=64))
        dim = 32
    else:
        name = bb['pretrained']
        kind = 'clip' if 'clip' in name else 'dinov2' if 'dinov2' in name else 'vit'
        patch = 14 if kind == 'dinov2' else 16
        hf = dict(model_type=kind, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                  image_size=224, patch_size=patch)
        hf.update(mlp_ratio=2) if kind == 'dinov2' else hf.update(intermediate_size=64)
        model['backbone'] = dict(type=bb['type'], source='transformers', hf_config=hf,
                                 layer=bb.get('layer', 'last_block'))
        dim = 32
    model['encoder'].update(in_dim=dim, projection_hidden_dim=dim)
    model['decoder'].update(out_dim=dim, hidden_dim=32)
    return model


@pytest.mark.parametrize('name', STEP_CONFIGS)
def test_config_builds_and_steps(tmp_path, name):
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'slots', name))
    subset = cfg.train_dataloader.dataset.get('subset')
    for split in ('train', 'validation'):
        write_synthetic_movi(str(tmp_path), num_videos=2, split=split, size=128, num_frames=2,
                             min_objects=2, max_objects=2, seed=0,
                             metal_prob={'metal': 1.0, 'rubber': 0.0}.get(subset, 0.5))
    model = MODELS.build(stand_in(cfg.model.to_dict()))
    batches = {}
    for key in ('train_dataloader', 'val_dataloader'):
        ds_cfg = cfg[key].dataset.to_dict()
        ds_cfg.update(data_root=str(tmp_path), num_frames=min(ds_cfg['num_frames'], 2))
        ds = DATASETS.build(ds_cfg)
        batches[key] = pseudo_collate([ds[0], ds[1]])
    data = model.data_preprocessor(batches['train_dataloader'], training=True)
    model.train()
    losses = model(**data, mode='loss')
    losses['loss_recon'].backward()
    assert torch.isfinite(losses['loss_recon'])
    assert 'diag_mask_similarity' in losses
    model.eval()
    data = model.data_preprocessor(batches['val_dataloader'])
    with torch.no_grad():
        outputs = model(**data, mode='predict')
    gt = batches['val_dataloader']['data_samples'][0].gt_masks
    assert outputs[0].pred_masks.shape[-2:] == gt.shape[-2:]
    for ev in cfg.val_evaluator:
        metric = METRICS.build(ev)
        metric.process(batches['val_dataloader'], [o.to_dict() for o in outputs])
        res = metric.compute_metrics(metric.results)
        assert all(np.isfinite(v) for v in res.values()), (ev, res)
        if ev.get('breakdown_key') == 'material':
            assert any('/' in k for k in res)
