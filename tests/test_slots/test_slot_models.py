"""DINOSAUR, VideoDINOSAUR, the pixel autoencoder and their parts, on tiny random nets."""
import pytest
import torch
from mmengine.structures import BaseDataElement

from mmext.registry import MODELS
from mmext.slots.models import fixed_color_jitter

TINY_DINOV2 = dict(model_type='dinov2', hidden_size=32, num_hidden_layers=2,
                   num_attention_heads=2, mlp_ratio=2, image_size=32, patch_size=8)


def tiny_dinosaur(video: bool = False, **test_cfg) -> torch.nn.Module:
    cfg = dict(
        type='VideoDINOSAUR' if video else 'DINOSAUR',
        data_preprocessor=dict(type='SlotDataPreprocessor'),
        backbone=dict(type='FrozenViTBackbone', hf_config=TINY_DINOV2),
        encoder=dict(type='SlotAttentionEncoder', in_dim=32, slot_dim=16, num_slots=3),
        decoder=dict(type='MLPPatchDecoder', slot_dim=16, out_dim=32, num_patches=16,
                     hidden_dim=32, mask_temperature=0.5),
        test_cfg=test_cfg)
    if video:
        cfg.update(predictor=dict(type='SlotPredictor', dim=16, num_heads=2,
                                  output_norm=True), corrector_iters=1)
    return MODELS.build(cfg)


def _batch(b=2, t=1, size=32):
    torch.manual_seed(0)
    inputs = [torch.randint(0, 256, (t, 3, size, size), dtype=torch.uint8) for _ in range(b)]
    samples = []
    for i in range(b):
        s = BaseDataElement(metainfo=dict(video_id=f'v{i}', start=0))
        s.gt_masks = torch.randint(0, 3, (t, 24, 24))
        samples.append(s)
    return dict(inputs=inputs, data_samples=samples)


@pytest.mark.parametrize('hf_config', [
    TINY_DINOV2,
    dict(model_type='vit', hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
         intermediate_size=64, image_size=32, patch_size=8),
    dict(model_type='clip', hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
         intermediate_size=64, image_size=32, patch_size=8),
])
def test_frozen_vit_backbone_transformers(hf_config):
    bb = MODELS.build(dict(type='FrozenViTBackbone', hf_config=hf_config))
    bb.train()
    assert not bb.vit.training
    assert not any(p.requires_grad for p in bb.parameters())
    tokens = bb(torch.randn(2, 3, 48, 48))  # non-native size: position embeds interpolated
    assert tokens.shape == (2, 36, 32)
    assert not tokens.requires_grad


def test_frozen_vit_backbone_layer_choice():
    last = MODELS.build(dict(type='FrozenViTBackbone', hf_config=TINY_DINOV2))
    normed = MODELS.build(dict(type='FrozenViTBackbone', hf_config=TINY_DINOV2,
                               layer='final_norm'))
    normed.vit.load_state_dict(last.vit.state_dict())
    x = torch.randn(1, 3, 32, 32)
    a, b = last(x), normed(x)
    ln = last.vit.layernorm
    torch.testing.assert_close(torch.nn.functional.layer_norm(
        a, (32, ), ln.weight, ln.bias, ln.eps), b, atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match='exactly one'):
        MODELS.build(dict(type='FrozenViTBackbone'))


def test_frozen_vit_backbone_mmpretrain():
    pytest.importorskip('mmpretrain')
    bb = MODELS.build(dict(
        type='FrozenViTBackbone', source='mmpretrain', patch_size=8, img_size=32,
        arch=dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)))
    assert bb(torch.randn(2, 3, 32, 32)).shape == (2, 16, 32)


def test_dinosaur_loss_predict_tensor():
    model = tiny_dinosaur(stability_jitter=dict(brightness=1.3, hue=0.2))
    data = model.data_preprocessor(_batch(), training=True)
    losses = model(**data, mode='loss')
    losses['loss_recon'].backward()
    assert losses['loss_recon'] > 0
    assert model.encoder.slot_attention.slots_mu.grad.abs().sum() > 0
    assert all(p.grad is None for p in model.backbone.parameters())
    model.eval()
    out = model(**data, mode='predict')
    assert len(out) == 2
    m = out[0].pred_masks
    assert m.shape == (1, 3, 24, 24)  # upsampled to GT size
    torch.testing.assert_close(m.sum(1), torch.ones(1, 24, 24))
    assert out[0].slots.shape == (1, 3, 16)
    assert out[0].pred_masks_jitter.shape == m.shape
    assert out[0].video_id == 'v0'
    # reproducible: same eval_seed -> same slots
    torch.testing.assert_close(model(**data, mode='predict')[0].slots, out[0].slots)
    assert model(**data, mode='tensor').shape == (2, 1, 3, 4, 4)


def test_dinosaur_patch_count_mismatch_is_explained():
    model = tiny_dinosaur()
    data = model.data_preprocessor(_batch(size=40))
    with pytest.raises(ValueError, match='num_patches'):
        model(**data, mode='loss')


def test_video_dinosaur_stop_gradient_and_corrector_iters():
    model = tiny_dinosaur(video=True)
    seen = []
    model.predictor.register_forward_hook(lambda m, i, o: seen.append(i[0].requires_grad))
    calls = []
    orig = model.encoder.slot_attention.forward

    def spy(*a, **k):
        calls.append(k.get('iters'))
        return orig(*a, **k)

    model.encoder.slot_attention.forward = spy
    data = model.data_preprocessor(_batch(t=3), training=True)
    model(**data, mode='loss')['loss_recon'].backward()
    assert seen == [False, False]  # stop-gradient: the predictor sees detached slots
    assert calls == [None, 1, 1]   # full iterations at t=0, corrector_iters after
    model.stop_gradient = False
    seen.clear()
    model(**data, mode='loss')
    assert seen == [True, True]
    model.eval()
    out = model(**data, mode='predict')
    assert out[0].pred_masks.shape == (3, 3, 24, 24)


def test_pixel_autoencoder():
    model = MODELS.build(dict(
        type='PixelSlotAutoencoder', cnn_channels=16, cnn_strides=(2, 1),
        data_preprocessor=dict(type='SlotDataPreprocessor', mean=[127.5] * 3,
                               std=[127.5] * 3),
        encoder=dict(type='SlotAttentionEncoder', in_dim=16, slot_dim=16, num_slots=3),
        decoder=dict(type='SpatialBroadcastDecoder', slot_dim=16, hidden_channels=16,
                     init_size=4, num_upsample=3)))
    data = model.data_preprocessor(_batch())
    loss = model(**data, mode='loss')['loss_recon']
    loss.backward()
    assert model.cnn[0].weight.grad.abs().sum() > 0
    out = model.eval()(**data, mode='predict')
    assert out[0].pred_masks.shape == (1, 3, 24, 24)
    bad = dict(data, inputs=data['inputs'][..., :16, :16])
    with pytest.raises(ValueError, match='init_size'):
        model(**bad, mode='loss')


def test_data_preprocessor_roundtrip_and_errors():
    pre = MODELS.build(dict(type='SlotDataPreprocessor'))
    batch = _batch(t=2)
    out = pre(batch)
    assert out['inputs'].shape == (2, 2, 3, 32, 32)
    torch.testing.assert_close(pre.denormalize(out['inputs']),
                               torch.stack(batch['inputs']).float(), atol=1e-4, rtol=0)
    with pytest.raises(ValueError, match='differ in shape'):
        pre(dict(inputs=[torch.zeros(1, 3, 8, 8), torch.zeros(1, 3, 9, 9)]))


def test_fixed_color_jitter():
    torch.manual_seed(0)
    x = torch.rand(2, 3, 5, 5) * 200 + 20
    torch.testing.assert_close(fixed_color_jitter(x), x)
    torch.testing.assert_close(fixed_color_jitter(x, brightness=1.1), (x * 1.1).clamp(0, 255))
    torch.testing.assert_close(fixed_color_jitter(x, hue=1.0), x, atol=1e-3, rtol=0)
    # a hue rotation keeps the luma
    w = torch.tensor([0.299, 0.587, 0.114]).view(3, 1, 1)
    y = fixed_color_jitter(x * 0.5 + 60, hue=0.25)
    torch.testing.assert_close((y * w).sum(-3), ((x * 0.5 + 60) * w).sum(-3), atol=1e-3,
                               rtol=0)
    # saturation 0 gives grey images
    g = fixed_color_jitter(x, saturation=0.0)
    torch.testing.assert_close(g[:, 0], g[:, 1], atol=1e-4, rtol=0)


def test_attention_mask_source_uses_slot_attention_maps():
    model = MODELS.build(dict(
        type='DINOSAUR', mask_source='attention',
        data_preprocessor=dict(type='SlotDataPreprocessor'),
        backbone=dict(type='FrozenViTBackbone', hf_config=TINY_DINOV2),
        encoder=dict(type='SlotAttentionEncoder', in_dim=32, slot_dim=16, num_slots=3),
        decoder=dict(type='MLPPatchDecoder', slot_dim=16, out_dim=32, num_patches=16,
                     hidden_dim=32)))
    data = model.data_preprocessor(_batch())
    noise = model.eval_noise(2, 1)
    out = model.encode(data['inputs'], noise)
    feats = model.features(data['inputs'].flatten(0, 1))
    enc = model.encoder(feats, noise=noise.flatten(0, 1))
    torch.testing.assert_close(out['masks'].reshape(2, 3, 16),
                               enc['attn'].transpose(1, 2))
    # the reconstruction is the attention-weighted mix of the per-slot decodings
    dec_alpha = model.decoder(enc['slots'])
    assert not torch.allclose(dec_alpha['reconstruction'], out['reconstruction'])
    with pytest.raises(ValueError, match='mask_source'):
        MODELS.build(dict(type='DINOSAUR', mask_source='alpha', backbone=dict(
            type='FrozenViTBackbone', hf_config=TINY_DINOV2), encoder=dict(
            type='SlotAttentionEncoder', in_dim=32), decoder=dict(
            type='MLPPatchDecoder', slot_dim=128, out_dim=32, num_patches=16)))


def test_combine_slots_with_external_masks():
    from mmext.slots.models import combine_slots
    values = torch.tensor([[[[1.0], [1.0]], [[3.0], [3.0]]]])  # (B=1, K=2, N=2, C=1)
    alpha = torch.zeros(1, 2, 2)
    masks = torch.tensor([[[1.0, 0.25], [0.0, 0.75]]])
    res = combine_slots(values, alpha, 1.0, masks)
    torch.testing.assert_close(res['reconstruction'], torch.tensor([[[1.0], [2.5]]]))
    res = combine_slots(values, alpha, 1.0)  # equal alphas: the mean
    torch.testing.assert_close(res['reconstruction'], torch.tensor([[[2.0], [2.0]]]))
