"""Partial fine-tuning of the DAV2 encoder: last-N blocks and LoRA (peft), with the staged hook."""
import types

import pytest
import torch
from mmengine.structures import BaseDataElement

from mmext.depth.engine import StagedFinetuneHook
from mmext.depth.models import DepthEstimator, load_depth_anything
from ._tiny_dav2 import tiny_hf_model, to_official_state_dict

HEAD = dict(type='DepthAnythingHead', in_channels=32, features=16, out_channels=[8, 16, 32, 32],
            mode='metric', max_depth=20.0, head_hidden=8)


def _model(**bb):
    return DepthEstimator(
        backbone=dict(type='DINOv2Backbone', arch=None, hidden_size=32, num_layers=4,
                      num_heads=2, mlp_ratio=2, out_indices=[0, 1, 2, 3], image_size=56, **bb),
        decode_head=HEAD, losses=[dict(type='SILogLoss', lambd=0.5)])


def test_last_n_blocks_and_the_staged_hook_keep_the_prior():
    model = _model(trainable_blocks=1)
    trainable = {n for n, p in model.backbone.named_parameters() if p.requires_grad}
    assert trainable and all(n.startswith(('dinov2.encoder.layer.3.', 'dinov2.layernorm.'))
                             for n in trainable)
    assert all(p.requires_grad for p in model.decode_head.parameters())
    before = {n: p.detach().clone() for n, p in model.backbone.named_parameters()}
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    x = torch.randn(2, 3, 56, 70)
    samples = []
    for _ in range(2):
        s = BaseDataElement()
        s.gt_depth = torch.rand(1, 56, 70) + 0.3
        samples.append(s)
    model(x, samples, mode='loss')['loss_silog'].backward()
    opt.step()
    for n, p in model.backbone.named_parameters():
        assert torch.equal(p, before[n]) != (n in trainable), n
    # The staged hook freezes everything, then gives back only what was trainable.
    runner = types.SimpleNamespace(model=model, epoch=0, iter=0, optim_wrapper=types.
                                   SimpleNamespace(optimizer=torch.optim.SGD(
                                       model.parameters(), lr=1.0)))
    hook = StagedFinetuneHook(freeze_epochs=1, lr_factor=0.5)
    hook.before_train_epoch(runner)
    assert not any(p.requires_grad for p in model.backbone.parameters())
    runner.epoch = 1
    hook.before_train_epoch(runner)
    assert {n for n, p in model.backbone.named_parameters() if p.requires_grad} == trainable
    assert runner.optim_wrapper.optimizer.param_groups[0]['lr'] == pytest.approx(0.5)
    with pytest.raises(ValueError, match='trainable_blocks'):
        _model(trainable_blocks=5)


def test_lora_via_peft_loads_official_weights_and_trains_only_adapters(tmp_path):
    pytest.importorskip('peft')
    hf = tiny_hf_model('metric', seed=4)
    path = tmp_path / 'depth_anything_v2_metric_hypersim_tiny.pth'
    torch.save(to_official_state_dict(hf.state_dict()), path)
    plain = _model().eval()
    load_depth_anything(plain, str(path))
    lora = _model(lora=dict(r=4, lora_alpha=8, target_modules=['q_proj', 'v_proj'])).eval()
    report = load_depth_anything(lora, str(path))
    assert report == {'missing': [], 'unexpected': [], 'shape_mismatch': []}
    x = torch.randn(1, 3, 42, 70)
    with torch.no_grad():
        assert torch.allclose(lora(x), plain(x), atol=1e-5)    # LoRA B starts at zero
    trainable = [n for n, p in lora.backbone.named_parameters() if p.requires_grad]
    assert trainable and all('lora_' in n for n in trainable)
    assert any('q_proj' in n for n in trainable) and any('v_proj' in n for n in trainable)
    with pytest.raises(ValueError, match='target_modules'):
        _model(lora=dict(r=4, target_modules=['qkv']))
    with pytest.raises(ValueError, match='one of'):
        _model(lora=dict(r=4), trainable_blocks=1)
