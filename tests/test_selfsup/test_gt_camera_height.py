"""Camera height from the twin's measured (velodyne) depth and road masks: exactly the
rendered 1.65 m through the real files (calib, velodyne export, masks); tool errors."""
import json
import os.path as osp

import pytest

from mmext.registry import DATASETS
from mmext.selfsup.evaluation import gt_camera_heights, summarize_heights
from tests._helpers.selfsup_toy import REPO, write_selfsup_toy_config
from tests._helpers.tools import run_tool

TOOL = osp.join(REPO, 'tools', 'analysis_tools', 'kitti_camera_height.py')


def _dataset(root, **kw):
    from mmengine.registry import init_default_scope
    init_default_scope('mmext')
    return DATASETS.build(dict(dict(type='KITTIRawDataset', data_root=root,
                                    ann_file='splits/tiny/test_files.txt', frame_ids=(0,),
                                    mask_root='masks', gt_depth='npz', pipeline=[]), **kw))


def test_velodyne_gt_gives_the_rendered_height(kitti_synth):
    root, _ = kitti_synth
    recs = gt_camera_heights(_dataset(root), 'plane', threshold=0.02)
    s = summarize_heights(recs, reference=1.65)
    assert s['usable'] == s['frames'] == 4
    assert s['median'] == pytest.approx(1.65, abs=1e-4) and s['rel_err'] < 1e-4
    assert all(r['road_points'] > 20 for r in recs)


def test_tool_writes_per_frame_heights(tmp_path, kitti_synth):
    root, _ = kitti_synth
    cfg = write_selfsup_toy_config(str(tmp_path / 'c.py'), root)
    out = str(tmp_path / 'h.json')
    code, err = run_tool(TOOL, cfg, '--split', 'test', '--reference', '1.65', '--out', out)
    assert code == 0, err
    with open(out) as f:
        res = json.load(f)
    assert len(res['frames']) == 4 and res['summary']['median'] == pytest.approx(1.65, abs=1e-4)
    code, err = run_tool(TOOL, cfg, '--split', 'val')
    assert code == 2 and 'no val_dataloader' in err


def test_velodyne_x_ground_truth_is_refused_and_camera_z_gives_the_height(tmp_path,
                                                                          kitti_synth):
    """The twin's rig has KITTI's velodyne offset (0.27 m ahead of the camera) and writes
    real-format calibration and scans; monodepth2's export (velodyne x, pixel offset 1) of
    them, read as camera z, puts the road ~5% too low -- the tool used to print 1.727 m."""
    import numpy as np
    import torch

    from mmext.geometry import camera_heights
    from mmext.selfsup.datasets.kitti_gt import export_gt_depths, load_gt_depths

    root, _ = kitti_synth
    velo_x = export_gt_depths(root, osp.join(root, 'splits/tiny/test_files.txt'),
                              str(tmp_path / 'gt_velo_x.npz'), show_progress=False)
    ds = _dataset(root, gt_depth=velo_x)
    # what the old tool computed: velodyne-x depth back-projected as z
    info = ds.get_data_info(0)
    from mmext.selfsup.datasets.road_masks import load_road_instance_masks
    road = load_road_instance_masks(info['mask_path'], ds.metainfo['classes'])['road_mask']
    d = torch.from_numpy(np.asarray(load_gt_depths(velo_x)[0], np.float64))
    old = camera_heights(d[None], torch.as_tensor(info['K'])[None].double(),
                         torch.from_numpy(road)[None], 'plane', threshold=0.02).item()
    assert old == pytest.approx(1.727, abs=0.02)              # ~5% high
    with pytest.raises(ValueError, match='velodyne-x depth'):
        gt_camera_heights(ds, 'plane', threshold=0.02, depth_source='dataset')
    recs = gt_camera_heights(ds, 'plane', threshold=0.02)     # velodyne scans as camera z
    s = summarize_heights(recs, reference=1.65)
    assert s['usable'] == 4 and s['median'] == pytest.approx(1.65, abs=2e-3)
    # camera-z exports (the twin's own file) are accepted
    s2 = summarize_heights(gt_camera_heights(_dataset(root), 'plane', threshold=0.02,
                                             depth_source='dataset'), 1.65)
    assert s2['median'] == pytest.approx(1.65, abs=1e-4)


def test_normals_estimator_warns_on_sparse_depth(kitti_synth):
    root, _ = kitti_synth
    with pytest.warns(UserWarning, match='sparse'):
        gt_camera_heights(_dataset(root), 'normals', max_frames=1)


def test_tool_refuses_velodyne_x_npz(tmp_path, kitti_synth):
    from mmext.selfsup.datasets.kitti_gt import export_gt_depths
    root, _ = kitti_synth
    velo_x = export_gt_depths(root, osp.join(root, 'splits/tiny/test_files.txt'),
                              str(tmp_path / 'gt_velo_x.npz'), show_progress=False)
    cfg = write_selfsup_toy_config(
        str(tmp_path / 'c.py'), root,
        extra=f"test_dataloader['dataset']['gt_depth'] = {velo_x!r}")
    code, err = run_tool(TOOL, cfg, '--split', 'test', '--depth-source', 'dataset')
    assert code == 2 and 'velodyne-x depth' in err
    code, out_err = run_tool(TOOL, cfg, '--split', 'test', '--reference', '1.65',
                             '--out', str(tmp_path / 'h.json'))
    assert code == 0, out_err
    with open(tmp_path / 'h.json') as f:
        assert json.load(f)['summary']['median'] == pytest.approx(1.65, abs=2e-3)
