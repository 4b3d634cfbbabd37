"""Log 004's collapse diagnostics: definitions on hand-made masks, their logging through the
loss dict, the hook's plots / warnings, and a collapsed toy run recognisable from its log."""
import glob
import json
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmext.registry import HOOKS, METRICS, MODELS
from mmext.slots.diagnostics import (collapse_reasons, mask_similarity, slot_diagnostics,
                                     slot_max)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_mask_similarity_and_slot_max_hand_computed():
    disjoint = torch.tensor([[[1.0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]])  # (1, K=3, P=4)
    uniform = torch.full((1, 3, 4), 1 / 3)
    assert float(mask_similarity(disjoint)) == pytest.approx(0.0)
    assert float(mask_similarity(uniform)) == pytest.approx(1.0)
    two = torch.tensor([[[0.6, 0.8], [0.8, 0.6]]])  # cos = 0.96 / 1.0
    assert float(mask_similarity(two)) == pytest.approx(0.96)
    # sorted per image, then averaged over images
    m = torch.tensor([[[0.9, 0.1], [0.1, 0.9], [0.0, 0.0]],
                      [[0.2, 0.2], [0.3, 0.7], [0.5, 0.1]]])
    torch.testing.assert_close(slot_max(m), torch.tensor([0.8, 0.7, 0.1]))


def test_slot_diagnostics_and_verdict():
    k = 4
    onehot = torch.nn.functional.one_hot(torch.arange(16) % k, k).T.float()[None]  # (1,K,16)
    logits = onehot * 8 - 4
    good = slot_diagnostics(onehot, logits=logits, temperature=0.5,
                            attn=onehot.transpose(1, 2), features=torch.randn(1, 16, 8) * 2,
                            tokens=torch.randn(1, 16, 4) * 0.1)
    assert good['mask_similarity'] == pytest.approx(0.0)
    assert good['used_slots'] == k and good['amax_0'] == 1.0 and good['amax_3'] == 1.0
    assert good['logit_spread'] == pytest.approx((logits / 0.5).std(dim=1).mean().item())
    assert 1.5 < good['feat_std'] < 2.5 and good['proj_std'] < 0.2
    assert collapse_reasons(good, k) == []
    flat_logits = torch.randn(1, k, 16) * 0.03   # the log's "std 0.031"
    masks = flat_logits.softmax(dim=1)
    bad = slot_diagnostics(masks, logits=flat_logits)
    reasons = collapse_reasons(bad, k)
    assert any('mask_similarity' in r for r in reasons)
    assert any('logits flat' in r for r in reasons)
    assert any('1/K' in r for r in reasons)
    one = torch.zeros(1, k, 16)
    one[:, 0] = 1   # one slot takes everything
    assert any('used_slots' in r for r in collapse_reasons(slot_diagnostics(one), k))


def _tiny_dinosaur(**decoder):
    return MODELS.build(dict(
        type='DINOSAUR', data_preprocessor=dict(type='SlotDataPreprocessor'),
        backbone=dict(type='FrozenViTBackbone', hf_config=dict(
            model_type='dinov2', hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
            mlp_ratio=2, image_size=32, patch_size=8)),
        encoder=dict(type='SlotAttentionEncoder', in_dim=32, slot_dim=16, num_slots=3),
        decoder=dict(type='MLPPatchDecoder', slot_dim=16, out_dim=32, num_patches=16,
                     hidden_dim=32, **decoder)))


def test_loss_dict_carries_diagnostics_not_summed():
    from mmengine.model import BaseModel
    model = _tiny_dinosaur(mask_temperature=0.5)
    torch.manual_seed(0)
    inputs = model.data_preprocessor(dict(inputs=[torch.randint(0, 256, (1, 3, 32, 32),
                                                                dtype=torch.uint8)] * 2))
    losses = model(**inputs, mode='loss')
    keys = {k for k in losses if k.startswith('diag_')}
    assert {'diag_mask_similarity', 'diag_used_slots', 'diag_amax_0', 'diag_amax_2',
            'diag_logit_std', 'diag_logit_spread', 'diag_attn_max_min', 'diag_feat_std',
            'diag_proj_std'} <= keys
    total, log_vars = BaseModel.parse_losses(model, losses)
    torch.testing.assert_close(total, losses['loss_recon'])
    assert 'diag_mask_similarity' in log_vars
    model.diagnostics = False
    assert set(model(**inputs, mode='loss')) == {'loss_recon'}


def test_mask_similarity_metric():
    m = METRICS.build(dict(type='MaskSimilarityMetric'))
    uniform = torch.full((2, 3, 4, 4), 1 / 3)
    m.process({}, [dict(pred_masks=uniform)])
    assert m.compute_metrics(m.results)['mask_similarity'] == pytest.approx(1.0)


def test_hook_records_warns_and_plots(tmp_path):
    hook = HOOKS.build(dict(type='SlotDiagnosticsHook', interval=1, num_slots=4))

    class Log:
        lines = []

        def warning(self, msg):
            self.lines.append(msg)

    log = Log()
    healthy = dict(mask_similarity=0.1, used_slots=4.0, amax_0=1.0, amax_3=0.9,
                   logit_spread=2.0, feat_std=2.4, proj_std=0.15)
    collapsed = dict(healthy, mask_similarity=0.97, used_slots=1.0, amax_0=0.26,
                     amax_3=0.25, logit_spread=0.01)
    assert hook.record(1, healthy, log) == []
    assert hook.record(2, collapsed, log)
    assert len(log.lines) == 1 and 'slot collapse suspected at iter 2' in log.lines[0]
    paths = hook.save(str(tmp_path))
    names = {osp.basename(p) for p in paths}
    assert {'diagnostics.json', 'mask_similarity.png', 'slot_max.png', 'mask_logits.png',
            'feature_spread.png'} <= names
    hist = json.load(open(tmp_path / 'diagnostics.json'))
    assert hist['collapsed'] == [False, True] and hist['mask_similarity'] == [0.1, 0.97]


def _small_cfg(tmp_path, name):
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'slots', name))
    cfg.work_dir = str(tmp_path / 'work')
    small = dict(num_videos=2, size=32, num_frames=2, min_objects=2, max_objects=3)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dl = cfg[key]
        dl.num_workers, dl.persistent_workers, dl.batch_size = 0, False, 2
        dl.dataset.data_root = str(tmp_path / 'data')
        dl.dataset.generate_if_missing.update(small)
        dl.dataset.pipeline[1]['scale'] = 32
        if dl.dataset.clip_mode == 'first':
            dl.dataset.num_frames = 2
    cfg.model.backbone.hf_config.update(image_size=32, patch_size=8)
    cfg.model.decoder.num_patches = 16
    cfg.train_cfg.max_iters, cfg.train_cfg.val_interval = 4, 100
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.param_scheduler = []
    cfg.custom_hooks = [dict(type='SlotDiagnosticsHook', interval=2)]
    cfg.default_hooks.logger.interval = 1
    return cfg


@pytest.mark.parametrize('collapsed', [True, False])
def test_collapsed_toy_run_is_recognisable_from_its_log(tmp_path, collapsed):
    """A run whose decoder alphas cannot separate slots (tau = 1e4: near-uniform masks) is
    flagged in the log file and the diagnostics JSON; the same run with attention masks
    (sharp from the first step on these inputs) is not flagged as uniform."""
    from mmengine.runner import Runner
    cfg = _small_cfg(tmp_path, 'dinosaur_tiny-random_synthetic-movi_64.py')
    if collapsed:
        cfg.model.decoder.mask_temperature = 1e4
    else:
        cfg.model.mask_source = 'attention'
        cfg.model.encoder.temperature = 0.01   # sharp attention: near one-hot masks
    runner = Runner.from_cfg(cfg)
    runner.train()
    log_file = glob.glob(str(tmp_path / 'work' / '*' / '*.log'))[0]
    text = open(log_file).read()
    assert 'diag_mask_similarity' in text      # logged next to the loss
    hist = json.load(open(tmp_path / 'work' / 'diagnostics' / 'diagnostics.json'))
    assert glob.glob(str(tmp_path / 'work' / 'diagnostics' / '*.png'))
    if collapsed:
        assert 'slot collapse suspected' in text
        assert all(hist['collapsed']) and min(hist['mask_similarity']) > 0.99
    else:
        assert max(hist['mask_similarity']) < 0.5
        assert not any('mask_similarity' in r for r in collapse_reasons(
            {k: v[-1] for k, v in hist.items() if k not in ('iter', 'collapsed')}, 5))
