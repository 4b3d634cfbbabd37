"""Cross-domain evaluation: NYU Depth V2 (BTS layout) and KITTI Eigen (raw + depth-annotated
layout) on synthetic twins, through the shipped configs and the honest-comparison tool."""
import importlib.util
import os.path as osp

import numpy as np
import pytest
import torch

from mmext.depth.datasets import KITTIEigenDepthDataset, LoadImageDepth, NYUDepthV2Dataset
from mmext.depth.metrics import crop_mask
from mmext.synthetic.depth_benchmark_twins import generate_kitti_eigen_twin, generate_nyu_twin

ROOT = osp.join(osp.dirname(__file__), '..', '..')
NYU_CFG = osp.join(ROOT, 'configs/food/dav2_metric_indoor_large_crossdomain_nyu_eigen654.py')
KITTI_CFG = osp.join(ROOT, 'configs/food/dav2_metric_indoor_large_crossdomain_kitti_eigen652.py')
TINY = dict(
    _delete_=True, type='DepthEstimator',
    backbone=dict(type='DINOv2Backbone', arch=None, hidden_size=32, num_layers=4, num_heads=2,
                  out_indices=[0, 1, 2, 3], image_size=56),
    decode_head=dict(type='DepthAnythingHead', in_channels=32, features=8,
                     out_channels=[8, 8, 16, 16], mode='metric', max_depth=20.0))


@pytest.fixture(scope='module')
def twins(tmp_path_factory):
    root = tmp_path_factory.mktemp('xdomain')
    nyu = generate_nyu_twin(str(root / 'nyu'), num_images=2)
    kitti = generate_kitti_eigen_twin(str(root / 'kitti'), num_images=2, size=(94, 310))
    return root, nyu, kitti


def test_layouts_load_exact_depth(twins):
    root, nyu, kitti = twins
    for split in (None, 'nyudepthv2_test_files_with_gt.txt'):
        ds = NYUDepthV2Dataset(str(root / 'nyu'), split_file=split,
                               pipeline=[LoadImageDepth()])
        assert len(ds) == 2
        got = {ds[i]['img_path']: ds[i]['gt_depth'] for i in range(2)}
        for info in nyu:
            assert np.allclose(got[info['rgb']], info['depth_m'], atol=1e-6)
        assert ds[0]['K'][0, 0] == pytest.approx(518.8579)
    ds = KITTIEigenDepthDataset(str(root / 'kitti'), 'eigen_val_files.txt',
                                pipeline=[LoadImageDepth()])
    assert len(ds) == 2                                   # DAV2's absolute paths re-rooted
    r = ds[0]
    assert r['img'].shape == (94, 310, 3) and 'K' not in r
    assert np.allclose(r['gt_depth'], kitti[0]['depth_m'], atol=1e-6)
    assert (r['gt_depth'] == 0).mean() > 0.5              # sparse lidar
    with pytest.raises(FileNotFoundError, match='official_splits/test'):
        NYUDepthV2Dataset(str(root / 'kitti'))
    assert repr(LoadImageDepth()) == 'LoadImageDepth()'


def test_nyu_eigen_crop():
    m = crop_mask((480, 640), 'nyu_eigen')
    assert m.sum() == (471 - 45) * (601 - 41) and m[45, 41] and not m[44, 41]
    with pytest.raises(ValueError, match='480, 640'):
        crop_mask((240, 320), 'nyu_eigen')


@pytest.mark.parametrize('cfg_path,sub,n', [(NYU_CFG, 'nyu', 2), (KITTI_CFG, 'kitti', 2)])
def test_crossdomain_configs_run_the_test_loop(twins, tmp_path, cfg_path, sub, n):
    import mmext  # noqa: F401
    from mmengine.config import Config
    from mmengine.runner import Runner
    root, _, _ = twins
    cfg = Config.fromfile(cfg_path)
    assert cfg.test_evaluator[0]['clamp_pred'] is False
    assert cfg.test_dataloader.dataset.pipeline[1]['type'] == 'DAV2InferResize'
    cfg.merge_from_dict(dict(model=TINY))
    cfg.test_dataloader.dataset.data_root = str(root / sub) + '/'
    cfg.test_dataloader.num_workers = 0
    cfg.work_dir = str(tmp_path / 'work')
    cfg.visualizer = dict(type='Visualizer', vis_backends=[dict(type='LocalVisBackend')])
    cfg.default_hooks.visualization = dict(type='DepthVisualizationHook', interval=1000)
    for k in ('train_dataloader', 'val_dataloader', 'val_evaluator', 'val_cfg', 'train_cfg',
              'optim_wrapper', 'param_scheduler', 'custom_hooks'):
        cfg.pop(k, None)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1)
    metrics = Runner.from_cfg(cfg).test()
    assert metrics['depth/num_images'] == n
    assert np.isfinite(metrics['depth/abs_rel']) and np.isfinite(metrics['depth/ms_abs_rel'])


def test_honest_tool_puts_food_and_non_food_side_by_side(n5k_root, twins, tmp_path, capsys):
    root, _, _ = twins
    n5k, _ = n5k_root
    spec = importlib.util.spec_from_file_location(
        'food_honest_comparison', osp.join(ROOT, 'tools/analysis_tools/food_honest_comparison.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    from mmengine.config import Config
    from mmext.registry import MODELS
    food_cfg = osp.join(ROOT, 'configs/food/dav2_tiny_volume_mix_synthetic_cpu.py')
    model = MODELS.build(Config.fromfile(food_cfg).model)
    ckpt = tmp_path / 'ft.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, ckpt)
    nyu_cfg = tmp_path / 'nyu_twin.py'
    nyu_cfg.write_text(f"_base_ = ['{NYU_CFG}']\n"
                       f"test_dataloader = dict(dataset=dict(data_root='{root / 'nyu'}/'))\n")
    opts = []
    for dl in ('train_dataloader', 'test_dataloader'):
        opts += [f'{dl}.dataset.data_root={n5k}/', f'{dl}.dataset.cache_dir={n5k}/cache']
    tool.main([food_cfg, str(ckpt), '--max-train', '2', '--max-test', '2',
               '--cross-domain', str(nyu_cfg), '--cfg-options'] + opts)
    out = capsys.readouterr().out
    assert 'food and non-food side by side' in out
    for row in ('nyu_twin: before', 'nyu_twin: after', ': before', ': after'):
        assert row in out
    assert 'AbsRel (median-scaled)' in out
