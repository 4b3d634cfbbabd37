"""tools/dataset_converters/kitti_export_gt_depth.py and the gt_depths.npz it writes."""
import os
import os.path as osp
import shutil

import numpy as np

from mmext.selfsup.datasets import export_gt_depths, read_split_file, velodyne_to_depth
from mmext.selfsup.datasets.kitti_io import velodyne_path
from tests._helpers.tools import REPO, run_tool

TOOL = osp.join(REPO, 'tools', 'dataset_converters', 'kitti_export_gt_depth.py')


def test_export_tool_writes_aligned_npz(tmp_path, kitti_synth):
    root, info = kitti_synth
    out = str(tmp_path / 'gt' / 'gt_depths.npz')
    code, err = run_tool(TOOL, root, 'splits/tiny/test_files.txt', '--out', out,
                         '--no-progress')
    assert code == 0, err
    data = np.load(out, allow_pickle=True)['data']
    lines = read_split_file(info['splits']['test'])
    assert data.dtype == object and data.shape == (len(lines), )
    for line, depth in zip(lines, data):
        assert depth.dtype == np.float32 and depth.shape == (40, 128)
        ref = velodyne_to_depth(info['calib_dir'], velodyne_path(root, line.folder,
                                                                 line.frame_index),
                                depth_from='velo_x')    # the tool's monodepth2 defaults
        np.testing.assert_array_equal(depth, ref)


def test_exact_export_equals_the_twins_gt_file(tmp_path, kitti_synth):
    """The twin writes gt_depths.npz from its renderer; projecting its velodyne scans with
    pixel_offset=0 and camera z must give the same maps."""
    root, info = kitti_synth
    out = export_gt_depths(root, info['splits']['test'], str(tmp_path / 'gt.npz'),
                           pixel_offset=0, depth_from='cam_z', show_progress=False)
    mine = np.load(out, allow_pickle=True)['data']
    twin = np.load(info['gt_depths'], allow_pickle=True)['data']
    assert len(mine) == len(twin) == 4
    for a, b in zip(mine, twin):
        np.testing.assert_array_equal(a > 0, b > 0)
        np.testing.assert_allclose(a, b, atol=1e-4)


def test_export_tool_errors_name_scan_and_line(tmp_path, kitti_synth):
    root, info = kitti_synth
    copy = str(tmp_path / 'kitti')
    shutil.copytree(root, copy)
    line = read_split_file(info['splits']['test'])[2]
    os.remove(velodyne_path(copy, line.folder, line.frame_index))
    code, err = run_tool(TOOL, copy, 'splits/tiny/test_files.txt', '--no-progress')
    assert code == 2
    assert f'{line.frame_index:010d}.bin' in err and 'test_files.txt:3' in err
    code, err = run_tool(TOOL, copy, 'splits/tiny/none.txt', '--no-progress')
    assert code == 2 and 'none.txt' in err
