"""DepthEstimator loss/predict paths and the staged fine-tuning hook on a tiny model."""
import types

import pytest
import torch
from mmengine.structures import BaseDataElement

from mmext.depth.engine import StagedFinetuneHook
from mmext.depth.models import DepthEstimator

TINY = dict(
    backbone=dict(type='DINOv2Backbone', arch=None, hidden_size=32, num_layers=4, num_heads=2,
                  out_indices=[0, 1, 2, 3], image_size=56),
    decode_head=dict(type='DepthAnythingHead', in_channels=32, features=16,
                     out_channels=[8, 16, 32, 32], mode='metric', max_depth=1.0))
LOSSES = [dict(type='SILogLoss', lambd=0.5),
          dict(type='MaskedL1Loss', use_food_mask=True),
          dict(type='DepthGradientLoss', region='food', dilate_px=2, loss_weight=0.1),
          dict(type='PlaneLevelLoss', ring_inner=1, ring_width=4, loss_weight=0.05),
          dict(type='VolumeLoss', ring_inner=1, ring_width=4, loss_weight=0.1)]


def _batch(h=56, w=70, n=2):
    samples = []
    for i in range(n):
        s = BaseDataElement(metainfo=dict(dish_id=f'dish_{i}'))
        depth = torch.full((1, h, w), 0.36)
        mask = torch.zeros(1, h, w, dtype=torch.bool)
        if i == 0:
            mask[:, 20:35, 25:45] = True
            depth[mask] = 0.33
        s.gt_depth, s.food_mask = depth, mask
        s.K = torch.tensor([[60., 0, (w - 1) / 2], [0, 60., (h - 1) / 2], [0, 0, 1]])
        s.gt_volume = torch.tensor(3e-5 if i == 0 else 0.0)
        samples.append(s)
    inputs = [torch.randint(0, 255, (3, h, w), dtype=torch.uint8) for _ in range(n)]
    return dict(inputs=inputs, data_samples=samples)


def test_loss_dict_and_gradients():
    torch.manual_seed(0)
    model = DepthEstimator(**TINY, losses=LOSSES)
    data = model.data_preprocessor(_batch(), training=True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_silog', 'loss_l1', 'loss_grad', 'loss_plane', 'loss_volume'}
    total = sum(losses.values())
    assert torch.isfinite(total)
    total.backward()
    # DINOv2's mask_token is only used for masked-image pre-training and the deepest fusion
    # block has no skip input (its resConfUnit1 is unused, as in DAV2 and transformers).
    unused = ('mask_token', 'refinenet4.resConfUnit1')
    grads = [p.grad for n, p in model.named_parameters() if not any(u in n for u in unused)]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)


def test_predict_resizes_back_to_input_size():
    model = DepthEstimator(**TINY).eval()
    data = model.data_preprocessor(_batch(h=50, w=75), training=False)   # not multiples of 14
    out = model(**data, mode='predict')
    assert out[0].pred_depth.shape == (1, 50, 75)
    assert out[1].dish_id == 'dish_1' and (out[0].pred_depth > 0).all()
    assert out[0].pred_depth.max() <= 1.0                               # Sigmoid x max_depth


def test_preprocessor_rejects_mixed_sizes():
    model = DepthEstimator(**TINY)
    batch = _batch()
    batch['inputs'][1] = torch.zeros(3, 28, 28, dtype=torch.uint8)
    with pytest.raises(ValueError, match='differ in shape'):
        model.data_preprocessor(batch)


def test_staged_finetune_hook_freezes_then_lowers_lr():
    model = DepthEstimator(**TINY, losses=LOSSES[:1])
    opt = torch.optim.AdamW([{'params': model.backbone.parameters(), 'lr': 1e-4},
                             {'params': model.decode_head.parameters(), 'lr': 1e-3}])
    for g in opt.param_groups:
        g['initial_lr'] = g['lr']
    runner = types.SimpleNamespace(model=model, epoch=0, iter=0,
                                   optim_wrapper=types.SimpleNamespace(optimizer=opt))
    hook = StagedFinetuneHook(freeze_epochs=2, lr_factor=0.1)
    for epoch in range(4):
        runner.epoch = epoch
        hook.before_train_epoch(runner)
        frozen = epoch < 2
        assert all(p.requires_grad != frozen for p in model.backbone.parameters())
        assert all(p.requires_grad for p in model.decode_head.parameters())
    # LR lowered exactly once, at the unfreeze.
    assert opt.param_groups[0]['lr'] == pytest.approx(1e-5)
    assert opt.param_groups[1]['lr'] == pytest.approx(1e-4)
    assert opt.param_groups[1]['initial_lr'] == pytest.approx(1e-4)
    with pytest.raises(AttributeError, match="no attribute 'pretrained'"):
        StagedFinetuneHook(encoder='pretrained').before_train_epoch(runner)
