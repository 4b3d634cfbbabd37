"""Log 004's experiment axes: MOVi material subsets, the bicubic MOVi preprocessing, the
ResNet-18 backbone, mask binarisation, temperature annealing and the residual-MLP
predictor."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mmext.registry import DATASETS, HOOKS, MODELS, TRANSFORMS
from mmext.slots.datasets.movi_io import video_material
from mmext.slots.hooks import annealed_value
from mmext.slots.models import slot_masks
from mmext.synthetic.movi import write_movi_videos
from mmext.utils.weight_loading import IncompleteWeightsError


def _write(root, materials):
    """One tiny video per entry of ``materials`` (a list of per-object flags)."""
    vids = []
    for i, mats in enumerate(materials):
        video = np.full((2, 8, 8, 3), 100, np.uint8)
        segs = np.zeros((2, 8, 8), np.uint8)
        segs[:, :2, :2] = 1
        meta = dict(objects=[dict(material=m) for m in mats]) if mats is not None else {}
        vids.append((f'v{i}', video, segs, meta))
    write_movi_videos(str(root), vids, split='train')


def test_video_material_classes():
    assert video_material(dict(objects=[dict(metal=True), dict(metal=True)])) == 'metal'
    assert video_material(dict(objects=[dict(material='rubber')])) == 'rubber'
    assert video_material(dict(objects=[dict(metal=True), dict(material='rubber')])) == 'mixed'
    assert video_material({}) == 'unknown'


def test_movi_subsets_and_material_metainfo(tmp_path):
    _write(tmp_path, [['metal', 'metal'], ['rubber'], ['metal', 'rubber'], ['metal']])
    pipeline = [dict(type='LoadMOViClip'), dict(type='PackSlotInputs')]
    metal = DATASETS.build(dict(type='MOViDataset', data_root=str(tmp_path), num_frames=1,
                                subset='metal', subset_key='material', pipeline=pipeline))
    assert [metal.get_data_info(i)['video_id'] for i in range(len(metal))] == ['v0', 'v3']
    assert metal[0]['data_samples'].material == 'metal'
    both = DATASETS.build(dict(type='MOViDataset', data_root=str(tmp_path), num_frames=1,
                               subset=['rubber', 'mixed'], pipeline=pipeline))
    assert [both.get_data_info(i)['video_id'] for i in range(len(both))] == ['v1', 'v2']
    assert 'material' not in both[0]['data_samples'].metainfo
    tagged = DATASETS.build(dict(type='MOViDataset', data_root=str(tmp_path), num_frames=1,
                                 subset_key='material', pipeline=pipeline))
    assert [tagged[i]['data_samples'].material for i in range(4)] == [
        'metal', 'rubber', 'mixed', 'metal']
    with pytest.raises(ValueError, match="'metal', 'rubber' or 'mixed'"):
        DATASETS.build(dict(type='MOViDataset', data_root=str(tmp_path), subset='gold'))
    _write(tmp_path / 'c', [None])
    with pytest.raises(ValueError, match='no per-object materials'):
        DATASETS.build(dict(type='MOViDataset', data_root=str(tmp_path / 'c'),
                            subset='metal'))


def test_bicubic_resize_equals_reference_preprocessing():
    """OCL / VideoSAUR: ToTensor (/255) -> bicubic interpolate -> clamp(0, 1)."""
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (2, 16, 16, 3), dtype=np.uint8)
    img[:, 4:8, 4:8] = 255   # sharp edges make bicubic overshoot
    img[:, 8:12, 8:12] = 0
    out = TRANSFORMS.build(dict(type='ResizeClip', scale=28, interpolation='bicubic'))(
        dict(img=img, gt_masks=np.zeros((2, 16, 16), np.int64)))
    x = torch.from_numpy(img).permute(0, 3, 1, 2).float() / 255
    ref = F.interpolate(x, size=(28, 28), mode='bicubic', align_corners=False).clamp(0, 1)
    got = torch.from_numpy(out['img']).permute(0, 3, 1, 2) / 255
    assert out['img'].dtype == np.float32 and out['img'].shape == (2, 28, 28, 3)
    torch.testing.assert_close(got, ref, atol=1e-6, rtol=0)
    unclamped = F.interpolate(x, size=(28, 28), mode='bicubic', align_corners=False)
    assert unclamped.max() > 1 or unclamped.min() < 0   # the clamp matters here
    gt = np.arange(16).reshape(1, 4, 4)
    res = TRANSFORMS.build(dict(type='ResizeClip', scale=6, interpolation='bicubic',
                                resize_gt=True, gt_interpolation='nearest-exact'))(
        dict(img=img[:1, :4, :4], gt_masks=gt))
    ref_gt = F.interpolate(torch.from_numpy(gt)[:, None].float(), size=(6, 6),
                           mode='nearest-exact')[:, 0].long().numpy()
    np.testing.assert_array_equal(res['gt_masks'], ref_gt)
    with pytest.raises(ValueError, match='interpolation'):
        TRANSFORMS.build(dict(type='ResizeClip', scale=8, interpolation='lanczos'))


def test_resnet18_token_backbone_loads_every_key(tmp_path):
    torchvision = pytest.importorskip('torchvision')
    torch.manual_seed(0)
    tv = torchvision.models.resnet18().eval()
    with torch.no_grad():  # non-trivial BN statistics
        for m in tv.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    path = tmp_path / 'r18.pth'
    torch.save(tv.state_dict(), path)
    bb = MODELS.build(dict(type='ResNetTokenBackbone', depth=18, out_stage=2,
                           checkpoint=str(path)))
    bb.train()
    assert not bb.resnet.training and not any(p.requires_grad for p in bb.parameters())
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        ref = tv.layer3(tv.layer2(tv.layer1(tv.maxpool(tv.relu(tv.bn1(tv.conv1(x)))))))
    tokens = bb(x)
    assert tokens.shape == (1, 16, 256) and bb.grid_size(64, 64) == (4, 4)
    torch.testing.assert_close(tokens, ref.flatten(2).transpose(1, 2), atol=1e-5, rtol=1e-5)
    sd = tv.state_dict()
    del sd['layer2.0.conv1.weight']
    torch.save(sd, tmp_path / 'bad.pth')
    with pytest.raises(IncompleteWeightsError, match=r'layer2\.0\.conv1\.weight'):
        MODELS.build(dict(type='ResNetTokenBackbone', checkpoint=str(tmp_path / 'bad.pth')))


def test_mask_binarisation_modes():
    torch.manual_seed(0)
    alpha = torch.randn(2, 4, 5, requires_grad=True)
    soft = slot_masks(alpha, 0.5)
    torch.testing.assert_close(soft, (alpha / 0.5).softmax(1))
    hard = slot_masks(alpha, 0.5, 'hard')
    assert set(hard.detach().unique().tolist()) <= {0.0, 1.0}
    torch.testing.assert_close(hard.detach().argmax(1), soft.detach().argmax(1))
    (hard * torch.arange(4.0).view(1, 4, 1)).sum().backward()
    g_hard = alpha.grad.clone()
    alpha.grad = None
    (soft * torch.arange(4.0).view(1, 4, 1)).sum().backward()
    torch.testing.assert_close(g_hard, alpha.grad)   # straight-through = soft gradients
    gum = slot_masks(alpha, 0.5, 'gumbel', gumbel_hard=True)
    assert set(gum.detach().unique().tolist()) <= {0.0, 1.0}
    torch.testing.assert_close(gum.sum(1), torch.ones(2, 5))
    dec = MODELS.build(dict(type='MLPPatchDecoder', slot_dim=8, out_dim=4, num_patches=5,
                            hidden_dim=8, binarize='gumbel'))
    out_train = dec(torch.randn(2, 3, 8))['masks']
    assert set(out_train.detach().unique().tolist()) <= {0.0, 1.0}
    dec.eval()
    out_eval = dec(torch.randn(2, 3, 8))['masks']
    assert ((out_eval > 0) & (out_eval < 1)).any()   # evaluation: soft masks
    with pytest.raises(ValueError, match='binarize'):
        MODELS.build(dict(type='MLPPatchDecoder', slot_dim=8, out_dim=4, num_patches=5,
                          binarize='st'))


def test_temperature_annealing_hook():
    assert annealed_value(0, 1.0, 0.25, 0, 100) == 1.0
    assert annealed_value(50, 1.0, 0.25, 0, 100) == pytest.approx(0.5)
    assert annealed_value(500, 1.0, 0.25, 0, 100) == pytest.approx(0.25)
    assert annealed_value(50, 1.0, 0.5, 0, 100, 'linear') == pytest.approx(0.75)
    hook = HOOKS.build(dict(type='SlotTemperatureHook', param='decoder.mask_temperature',
                            start=1.0, end=0.25, end_iter=100))

    class Hub:
        scalars = {}

        def update_scalar(self, k, v):
            self.scalars[k] = v

    class Runner:
        iter = 50
        message_hub = Hub()

    runner = Runner()
    runner.model = torch.nn.Module()
    runner.model.decoder = MODELS.build(dict(type='MLPPatchDecoder', slot_dim=8, out_dim=4,
                                             num_patches=5))
    hook.before_train(runner)
    hook.before_train_iter(runner, 0)
    assert runner.model.decoder.mask_temperature == pytest.approx(0.5)
    assert runner.message_hub.scalars['train/mask_temperature'] == pytest.approx(0.5)
    bad = HOOKS.build(dict(type='SlotTemperatureHook', param='decoder.tau'))
    with pytest.raises(AttributeError, match='decoder.tau'):
        bad.before_train(runner)


def test_mlp_slot_predictor_is_residual_with_output_norm():
    pred = MODELS.build(dict(type='MLPSlotPredictor', dim=8, hidden_dim=16))
    torch.nn.init.zeros_(pred.mlp[2].weight)
    torch.nn.init.zeros_(pred.mlp[2].bias)
    slots = torch.randn(2, 3, 8)
    torch.testing.assert_close(pred(slots), F.layer_norm(slots, (8, ), pred.norm.weight,
                                                         pred.norm.bias))
    raw = MODELS.build(dict(type='MLPSlotPredictor', dim=8, output_norm=False))
    torch.nn.init.zeros_(raw.mlp[2].weight)
    torch.nn.init.zeros_(raw.mlp[2].bias)
    torch.testing.assert_close(raw(slots), slots)
