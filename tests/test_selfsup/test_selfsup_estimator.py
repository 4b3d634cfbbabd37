"""SelfSupDepthEstimator: losses wired as specified, pose conventions, schedule, predict."""
import math

import pytest
import torch
from mmengine.structures import BaseDataElement

from mmext.registry import MODELS
from mmext.selfsup.models import SelfSupDepthEstimator

TINY_R18 = dict(type='ResNet', depth=18, base_channels=8, init_cfg=None)
PRIORS = dict(car=(1.5, 0.1), pedestrian=(1.7, 0.1))


def tiny_model(metric=True, **kw) -> SelfSupDepthEstimator:
    cfg = dict(
        type='SelfSupDepthEstimator',
        depth_encoder=dict(type='ResNetPyramidEncoder', backbone=dict(TINY_R18, in_channels=3)),
        depth_decoder=dict(type='MonoDepthDecoder', num_ch_dec=(4, 8, 8, 16, 16)),
        pose_net=dict(type='PoseNet', hidden=16, encoder=dict(
            type='ResNetPyramidEncoder', backbone=dict(TINY_R18, in_channels=6))),
        depth_output=dict(type='softplus', min_depth=0.1, init_depth=10.0))
    if metric:
        cfg.update(
            object_height_loss=dict(type='ObjectHeightLoss', height_priors=PRIORS,
                                    classes=('car', 'pedestrian'), depth_reduction='median'),
            camera_height_loss=dict(type='CameraHeightLoss', loss_weight=0.01),
            object_filter=dict(min_area=4, border_margin=0),
            loss_schedule=dict(object=dict(type='log', start=1.0, end=0.01, end_epoch=2),
                               camera=dict(type='constant', value=1.0, begin_epoch=1)))
    cfg.update(kw)
    return MODELS.build(cfg)


def batch(B=2, H=64, W=128, seed=0):
    g = torch.Generator().manual_seed(seed)
    frames = torch.rand(B, 3, 3, H, W, generator=g)
    samples = []
    for _ in range(B):
        road = torch.zeros(H, W, dtype=torch.bool)
        road[H // 2 + 2:] = True
        imap = torch.zeros(H, W, dtype=torch.long)
        imap[20:40, 40:56] = 1
        samples.append(BaseDataElement(
            K=torch.tensor([[0.58 * W, 0, W / 2], [0, 1.92 * H, H / 2], [0, 0, 1.]]),
            road_mask=road, instance_map=imap, instance_labels=torch.tensor([0]),
            gt_depth=torch.full((2 * H, 2 * W), 5.0)))
    return {'frames': frames, 'frames_aug': frames}, samples


def test_loss_terms_and_gradients():
    model = tiny_model()
    inputs, samples = batch()
    losses = model.loss(inputs, samples)
    assert {'loss_photo', 'loss_smooth', 'loss_object', 'loss_camera', 'obj_total',
            'obj_kept', 'road_height'} <= set(losses)
    assert losses['obj_total'].item() == 2 and losses['obj_kept'].item() == 2
    assert {'obj_truncated', 'obj_tiny', 'obj_unknown', 'obj_not_on_road',
            'obj_height_outlier'} <= set(losses)
    assert losses['loss_camera'].item() == 0          # no target yet
    total = sum(v for k, v in losses.items() if k.startswith('loss'))
    total.backward()
    for name in ('encoder', 'decoder', 'pose_net'):
        grads = [p.grad for p in getattr(model, name).parameters() if p.grad is not None]
        assert grads and any(g.abs().sum() > 0 for g in grads), name


def test_object_term_equals_the_loss_module_times_schedule():
    model = tiny_model()
    inputs, samples = batch()
    torch.manual_seed(0)
    l0 = model.loss(inputs, samples)['loss_object']
    img = inputs['frames_aug'][:, 0]
    raw = model.depth_pyramid(img)
    # FUMET: the term on every scale's (upsampled) depth, averaged over the scales
    per_scale = [model.object_height_loss(model.depth_output(raw[k], img.shape[-2:]),
                                          torch.stack([s.K for s in samples]),
                                          torch.stack([s.instance_map for s in samples]),
                                          [s.instance_labels for s in samples])
                 for k in sorted(raw)]
    ref = sum(per_scale) / len(per_scale)
    assert l0.item() == pytest.approx(ref.item(), rel=1e-5)
    finest = tiny_model(metric_scales='finest')
    finest.load_state_dict(model.state_dict())
    assert finest.loss(inputs, samples)['loss_object'].item() == pytest.approx(
        per_scale[0].item(), rel=1e-5)
    model.set_epoch(1)                                  # log schedule 1 -> 0.01 over 2 epochs
    l1 = model.loss(inputs, samples)['loss_object']
    assert l1.item() == pytest.approx(0.1 * ref.item(), rel=1e-5)


def test_camera_term_uses_target_buffer():
    model = tiny_model()
    inputs, samples = batch()
    model.set_epoch(1)
    model.camera_height_target.fill_(1.65)
    out = model.loss(inputs, samples)
    img = inputs['frames_aug'][:, 0]
    raw = model.depth_pyramid(img)
    ref = sum(model.camera_height_loss(model.depth_output(raw[k], img.shape[-2:]),
                                       torch.stack([s.K for s in samples]),
                                       torch.stack([s.road_mask for s in samples]), 1.65)
              for k in sorted(raw)) / len(raw)
    assert out['loss_camera'].item() == pytest.approx(ref.item(), rel=1e-5)
    assert out['loss_camera'].item() > 0
    model.set_epoch(0)                                  # camera term starts at epoch 1
    assert model.loss(inputs, samples)['loss_camera'].item() == 0


def test_pose_convention_inverts_earlier_frames():
    """The pose net maps earlier -> later; frame -1's transform is the inverse (monodepth2)."""
    model = tiny_model(metric=False)
    aa, t = torch.tensor([[0.0, 0.1, 0.0]]), torch.tensor([[0.0, 0.0, 1.0]])
    model.pose_net.forward = lambda pair: (aa.expand(pair.shape[0], 3),
                                           t.expand(pair.shape[0], 3))
    T = model.poses(torch.rand(2, 3, 3, 64, 128))
    assert torch.allclose(T[-1] @ T[1], torch.eye(4).expand(2, 4, 4), atol=1e-6)
    assert torch.allclose(T[1][0, :3, 3], t[0])


def test_metric_terms_need_masks():
    model = tiny_model()
    inputs, samples = batch()
    bare = [BaseDataElement(K=s.K) for s in samples]
    with pytest.raises(ValueError, match='LoadRoadInstanceMasks'):
        model.loss(inputs, bare)


def test_predict_resizes_to_gt_and_keeps_disp():
    model = tiny_model(metric=False).eval()
    inputs, samples = batch()
    out = model.predict(inputs, samples)
    assert out[0].pred_depth.shape == (128, 256)
    assert out[0].pred_disp.shape == (64, 128)
    assert torch.allclose(out[0].pred_disp, 1 / model.predict_depth(
        inputs['frames'][:, 0])[0, 0], rtol=1e-5)


def test_camera_height_evidence_is_road_height_times_object_scale():
    """Depth of a level road 1.65 m below the camera with a car (rows 20-39, 20 px tall) at
    D = 8 m: the car's implied height 20 * 8 / fy, the scale prior / that, and the frame's
    camera height 1.65 * scale. A road above the camera is no evidence."""
    model = tiny_model().eval()
    inputs, samples = batch()
    K = samples[0].K
    H, W = 64, 128
    v = torch.arange(H, dtype=torch.float32)[:, None].expand(H, W)
    road = torch.where(v > K[1, 2], 1.65 * K[1, 1] / (v - K[1, 2]).clamp_min(0.5),
                       torch.full_like(v, 60.0))
    road[20:40, 40:56] = 8.0
    model.predict_depth = lambda image: road.expand(image.shape[0], 1, H, W)
    ev = model.camera_height_evidence(inputs, samples)
    scale = 1.5 / (20 * 8.0 / K[1, 1].item())
    for e in ev:
        assert e['num_objects'] == 1
        assert e['road_height'] == pytest.approx(1.65, rel=1e-4)
        assert e['scale'] == pytest.approx(scale, rel=1e-4)
        assert e['camera_height'] == pytest.approx(1.65 * scale, rel=1e-4)
    upside_down = torch.where(v > K[1, 2], -road, road)
    model.predict_depth = lambda image: upside_down.expand(image.shape[0], 1, H, W).abs() * \
        torch.where(v > K[1, 2], -1.0, 1.0)
    assert all(math.isnan(e['camera_height']) for e in model.camera_height_evidence(
        inputs, samples))


def test_bad_frame_ids():
    with pytest.raises(ValueError, match='frame_ids'):
        tiny_model(frame_ids=(-1, 0, 1))
