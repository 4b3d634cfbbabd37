"""The FUMET model on the tiny twin: metric terms on every scale, heights collected while
training and turned into the target by the hook (tools/train.py), the log's re-init hook
and the evidence depth; validation on held-out training frames."""
import json
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.registry import init_default_scope

from mmext.registry import DATASETS, MODELS
from mmext.selfsup.hooks import ReinitHook
from mmext.selfsup.losses import CameraHeightLoss, ObjectHeightLoss
from tests._helpers.selfsup_toy import write_selfsup_toy_config
from tests._helpers.tools import TRAIN, run_tool

FUMET_HOOKS = """
custom_hooks = [dict(type='SetEpochInfoHook'),
                dict(type='CameraHeightHook', source='train', update='epoch_weighted',
                     first_epoch=1, reference_height=1.65)]
"""


def _batch(cfg, n=2):
    init_default_scope('mmext')
    ds = DATASETS.build(cfg.train_dataloader.dataset)
    from mmengine.dataset import pseudo_collate
    return pseudo_collate([ds[i] for i in range(n)])


def test_metric_terms_average_over_scales(tmp_path, kitti_synth):
    root, _ = kitti_synth
    cfg = Config.fromfile(write_selfsup_toy_config(str(tmp_path / 't.py'), root,
                                                   extra=FUMET_HOOKS))
    model = MODELS.build(cfg.model)
    model.train()
    torch.manual_seed(0)
    data = model.data_preprocessor(_batch(cfg), True)
    # before a target exists no object is filtered: every frame with road and objects
    # gives a height (with a target, a random network's horizon rejects them all, as FUMET)
    model.start_height_collection()
    model.loss(data['inputs'], data['data_samples'])
    collected = model.pop_collected_heights()
    assert len(collected) == 2 and all(h > 0 for h in collected)
    model.camera_height_target.fill_(1.65)
    model.set_epoch(5)
    torch.manual_seed(1)
    losses = model.loss(data['inputs'], data['data_samples'])
    assert all(torch.isfinite(v).all() for v in losses.values())
    # the same depths by hand: the camera term is the mean over the 4 scales
    frames = data['inputs']['frames_aug']
    raw = model.depth_pyramid(frames[:, 0])
    assert sorted(raw) == [0, 1, 2, 3]
    K = torch.stack([torch.as_tensor(s.K) for s in data['data_samples']]).float()
    road = torch.stack([torch.as_tensor(s.road_mask) for s in data['data_samples']])
    size = frames.shape[-2:]
    per_scale = [CameraHeightLoss(loss_weight=0.01)(model.depth_output(raw[s], size), K, road,
                                                    1.65) for s in range(4)]
    w = model.weight('camera')
    assert w == pytest.approx(0.5885, abs=1e-4)
    assert losses['loss_camera'].item() == pytest.approx(w * sum(per_scale).item() / 4,
                                                         rel=1e-4)
    finest = MODELS.build(dict(cfg.model, metric_scales='finest'))
    finest.load_state_dict(model.state_dict())
    finest.train()
    finest.set_epoch(5)
    torch.manual_seed(1)
    l0 = finest.loss(data['inputs'], data['data_samples'])['loss_camera']
    assert l0.item() == pytest.approx(w * per_scale[0].item(), rel=1e-4)


def test_fumet_hook_trains_through_tools(tmp_path, kitti_synth):
    root, _ = kitti_synth
    cfg = write_selfsup_toy_config(str(tmp_path / 't.py'), root, max_epochs=2,
                                   extra=FUMET_HOOKS)
    work = str(tmp_path / 'work')
    code, err = run_tool(TRAIN, cfg, '--work-dir', work)
    assert code == 0, err
    with open(osp.join(work, 'camera_height.json')) as f:
        hist = json.load(f)['history']
    assert [h['epoch'] for h in hist] == [1, 2]
    # epoch 1: every training frame (3) with road and objects gave a height; weight 1
    assert hist[0]['frames'] == hist[0]['frames_used'] == 3
    assert hist[0]['target'] == pytest.approx(hist[0]['estimate'])
    # epoch 2: with a target the outlier test runs on this untrained network's horizon and
    # rejects every object (as FUMET's code would): no evidence, the target stays
    assert hist[1]['frames_used'] == 0
    assert hist[1]['target'] == pytest.approx(hist[0]['target'])


class Tiny(BaseModel):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3)
        self.bn = torch.nn.BatchNorm2d(4)
        self.register_buffer('camera_height_target', torch.tensor(1.7))

    def forward(self, x, data_samples=None, mode='tensor'):
        return self.bn(self.conv(x))


def test_reinit_hook_resets_weights_and_adam():
    model = Tiny()
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    x = torch.rand(2, 3, 8, 8)
    for _ in range(3):
        opt.zero_grad()
        model.bn(model.conv(x)).pow(2).mean().backward()
        opt.step()
    trained = {k: v.clone() for k, v in model.state_dict().items()}
    runner = SimpleNamespace(model=model, epoch=1, optim_wrapper=SimpleNamespace(optimizer=opt),
                             logger=SimpleNamespace(info=lambda *a: None))
    hook = ReinitHook(epoch=1)
    hook.after_train_epoch(runner)              # runner.epoch 1 = epoch 2 finished: no-op
    assert torch.equal(model.conv.weight, trained['conv.weight']) and len(opt.state)
    runner.epoch = 0
    hook.after_train_epoch(runner)
    assert not torch.equal(model.conv.weight, trained['conv.weight'])
    assert torch.equal(model.bn.running_mean, torch.zeros(4))
    assert len(opt.state) == 0
    assert float(model.camera_height_target) == pytest.approx(1.7)


def test_evidence_depth_differs_from_loss_depth():
    H, W = 20, 20
    K = torch.tensor([[20., 0., 9.5], [0., 20., 9.5], [0., 0., 1.]])
    depth = torch.full((1, 1, H, W), 30.0)
    imap = torch.zeros(1, H, W, dtype=torch.long)
    imap[0, 5:15, 5:15] = 1
    depth[0, 0, 5:15, 5:15] = torch.linspace(8, 12, 10).view(10, 1)   # near rows -> far
    priors = dict(car=(1.5, 0.1))
    labels = [torch.tensor([0])]
    q = ObjectHeightLoss(priors, ('car', ), form='representative', depth_reduction='quantile')
    m = ObjectHeightLoss(priors, ('car', ), form='representative', depth_reduction='quantile',
                         evidence_reduction='median')
    d = depth[0, 0][imap[0] == 1]
    s_q = q.scale_factors(depth, K, imap, labels)[0].item()
    s_m = m.scale_factors(depth, K, imap, labels)[0].item()
    assert s_q == pytest.approx(1.5 / (10 * torch.quantile(d, 0.25).item() / 20), rel=1e-6)
    assert s_m == pytest.approx(1.5 / (10 * d.median().item() / 20), rel=1e-6)
    # the loss itself keeps its own representative depth
    assert q(depth, K, imap, labels).item() == pytest.approx(m(depth, K, imap, labels).item())


def test_validation_on_held_out_training_frames(kitti_synth):
    """The twin config validates on its val split (frames of the training drives, velodyne
    GT on the fly) and tests on the held-out drive."""
    root, _ = kitti_synth
    cfg = Config.fromfile(osp.join(osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))), 'configs/selfsup/fumet_r18c16_synthkitti_256x96_cpu.py'))
    val, test = cfg.val_dataloader.dataset, cfg.test_dataloader.dataset
    assert val.ann_file.endswith('val_files.txt') and test.ann_file.endswith('test_files.txt')
    init_default_scope('mmext')
    ds = DATASETS.build(dict(val, data_root=root, ann_file='splits/tiny/val_files.txt',
                             generate_if_missing=None, pipeline=[dict(type='LoadKITTIDepthGT')]))
    train_lines = open(osp.join(root, 'splits/tiny/train_files.txt')).read().split()
    val_folder = ds.get_data_info(0)['folder']
    assert val_folder in train_lines                           # a training drive
    gt = ds[0]['gt_depth']
    assert gt.shape == tuple(ds.get_data_info(0)['ori_shape']) and (gt > 0).sum() > 50
    kitti = Config.fromfile(osp.join(osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))), 'configs/selfsup/fumet_r18_kitti-eigen-zhou_640x192_40e.py'))
    assert kitti.val_dataloader.dataset.ann_file == 'splits/eigen_zhou/val_files.txt'
    assert kitti.test_dataloader.dataset.ann_file == 'splits/eigen/test_files.txt'
