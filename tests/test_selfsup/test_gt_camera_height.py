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
    return DATASETS.build(dict(type='KITTIRawDataset', data_root=root,
                               ann_file='splits/tiny/test_files.txt', frame_ids=(0,),
                               mask_root='masks', gt_depth='npz', pipeline=[], **kw))


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
