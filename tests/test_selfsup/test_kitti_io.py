"""KITTI raw readers: calibration files, split files, velodyne -> sparse depth."""
import os.path as osp

import numpy as np
import pytest

from mmext.selfsup.datasets import (load_kitti_intrinsics, read_calib_file, read_split_file,
                                    velodyne_to_depth)
from mmext.selfsup.datasets.kitti_io import image_path, velodyne_path
from mmext.selfsup.datasets.transforms import read_depth_png

CAM_TO_CAM = '\n'.join([   # the 2011_09_26 values
    'calib_time: 09-Jan-2012 13:57:47',
    'corner_dist: 9.950000e-02',
    'S_rect_02: 1.242000e+03 3.750000e+02',
    'R_rect_00: 9.999239e-01 9.837760e-03 -7.445048e-03 -9.869795e-03 9.999421e-01 '
    '-4.278459e-03 7.402527e-03 4.351614e-03 9.999631e-01',
    'P_rect_02: 7.215377e+02 0.000000e+00 6.095593e+02 4.485728e+01 0.000000e+00 '
    '7.215377e+02 1.728540e+02 2.163791e-01 0.000000e+00 0.000000e+00 1.000000e+00 '
    '2.745884e-03',
    'S_rect_03: 1.242000e+03 3.750000e+02',
    'P_rect_03: 7.215377e+02 0.000000e+00 6.095593e+02 -3.395242e+02 0.000000e+00 '
    '7.215377e+02 1.728540e+02 2.199936e+00 0.000000e+00 0.000000e+00 1.000000e+00 '
    '2.729905e-03'])


def test_read_calib_file_parses_numbers_and_keeps_strings(tmp_path):
    path = tmp_path / 'calib_cam_to_cam.txt'
    path.write_text(CAM_TO_CAM + '\n')
    calib = read_calib_file(str(path))
    assert calib['calib_time'] == '09-Jan-2012 13:57:47'
    assert calib['P_rect_02'].shape == (12, ) and calib['P_rect_02'][0] == 721.5377
    K, size = load_kitti_intrinsics(str(tmp_path), 'l')
    np.testing.assert_allclose(K, [[721.5377, 0, 609.5593], [0, 721.5377, 172.854], [0, 0, 1]])
    assert size == (1242, 375)
    K3, _ = load_kitti_intrinsics(str(tmp_path), 'r')
    np.testing.assert_allclose(K3, K)   # the rectified cameras share K; P differs in column 3


def test_calib_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='calib_cam_to_cam.txt'):
        load_kitti_intrinsics(str(tmp_path), 'l')
    (tmp_path / 'calib_cam_to_cam.txt').write_text('S_rect_02: 1 2\nP_rect_02: 1 2 3\n')
    with pytest.raises(ValueError, match=r'calib_cam_to_cam.txt.*P_rect_02.*12 numbers'):
        load_kitti_intrinsics(str(tmp_path), 'l')
    with pytest.raises(ValueError, match=r"missing key 'P_rect_03'"):
        load_kitti_intrinsics(str(tmp_path), 'r')
    (tmp_path / 'bad.txt').write_text('no colon here\n')
    with pytest.raises(ValueError, match=r'bad.txt:1'):
        read_calib_file(str(tmp_path / 'bad.txt'))
    with pytest.raises(ValueError, match='side'):
        load_kitti_intrinsics(str(tmp_path), 'x')


def test_read_split_file_and_bad_lines(tmp_path):
    path = tmp_path / 'train_files.txt'
    path.write_text('2011_09_26/2011_09_26_drive_0001_sync 0000000005 l\n\n'
                    '2011_09_26/2011_09_26_drive_0002_sync 7 r\n')
    lines = read_split_file(str(path))
    assert [(ln.folder[-9:], ln.frame_index, ln.side) for ln in lines] == \
        [('0001_sync', 5, 'l'), ('0002_sync', 7, 'r')]
    assert lines[1].where.endswith('train_files.txt:3')
    for bad, why in (('a/b 5', 'folder frame side'), ('a/b five l', 'not an integer'),
                     ('a/b 5 x', 'side')):
        path.write_text('2011_09_26/x 1 l\n' + bad + '\n')
        with pytest.raises(ValueError, match=why) as err:
            read_split_file(str(path))
        assert 'train_files.txt:2' in str(err.value) and bad in str(err.value)
    with pytest.raises(FileNotFoundError, match='nothing.txt'):
        read_split_file(str(tmp_path / 'nothing.txt'))


def test_velodyne_depth_matches_dense_gt(kitti_synth):
    """With pixel_offset=0 every lidar point lands on its pixel with the rendered depth; the
    default offset 1 (monodepth2) moves the map one pixel up-left; rear, side and farther
    'parallax' points in the scans must all be discarded."""
    root, info = kitti_synth
    folder = info['folders'][0]
    calib = info['calib_dir']
    for frame in (0, 3):
        velo = velodyne_path(root, folder, frame)
        gt = read_depth_png(osp.join(root, folder, 'proj_depth', 'groundtruth', 'image_02',
                                     f'{frame:010d}.png'))
        d0 = velodyne_to_depth(calib, velo, 'l', pixel_offset=0)
        assert d0.dtype == np.float32 and d0.shape == gt.shape == (40, 128)
        valid = d0 > 0
        assert valid.mean() > 0.2
        # equal within the png's quantisation (1/256 m, rounded)
        assert np.abs(d0[valid] - gt[valid]).max() <= 0.5 / 256 + 1e-4
        d1 = velodyne_to_depth(calib, velo, 'l')
        np.testing.assert_array_equal(d1[:-1, :-1], d0[1:, 1:])
        assert not d1[-1].any() and not d1[:, -1].any()
        dx = velodyne_to_depth(calib, velo, 'l', pixel_offset=0, depth_from='velo_x')
        assert ((dx > 0) == valid).all()
        # the velodyne sits 0.27 m behind the camera (up to the small R_rect rotation)
        assert abs(np.median(dx[valid] - d0[valid]) - 0.27) < 0.05
        half = velodyne_to_depth(calib, velo, 'l', image_size=(64, 20), pixel_offset=0)
        np.testing.assert_array_equal(half, d0[:20, :64])


def test_velodyne_keeps_nearest_point_per_pixel(tmp_path, kitti_synth):
    _, info = kitti_synth
    calib = info['calib_dir']
    K = info['K']
    # three points on the ray of pixel (u, v) = (40, 30) at z = 9, 5, 7 (camera 2 frame),
    # expressed in the velodyne frame (x fwd, y left, z up; 0.08 m up, 0.27 m back)
    from mmext.synthetic.kitti_road import kitti_calibration
    T = kitti_calibration((128, 40))['T_cam2_velo']
    ray = np.array([(40 - K[0, 2]) / K[0, 0], (30 - K[1, 2]) / K[1, 1], 1.0])
    cam = np.stack([ray * z for z in (9.0, 5.0, 7.0)])
    velo = (cam - T[:3, 3]) @ T[:3, :3]
    pts = np.concatenate([velo, np.ones((3, 1))], 1).astype(np.float32)
    path = str(tmp_path / 'scan.bin')
    pts.tofile(path)
    depth = velodyne_to_depth(calib, path, 'l', pixel_offset=0)
    assert depth[30, 40] == pytest.approx(5.0, abs=1e-4)
    assert (depth > 0).sum() == 1
    (tmp_path / 'bad.bin').write_bytes(b'\0' * 20)
    with pytest.raises(ValueError, match=r'bad.bin.*multiple of 16'):
        velodyne_to_depth(calib, str(tmp_path / 'bad.bin'))
    with pytest.raises(FileNotFoundError, match='missing.bin'):
        velodyne_to_depth(calib, str(tmp_path / 'missing.bin'))


def test_layout_paths(kitti_synth):
    root, info = kitti_synth
    folder = info['folders'][1]
    assert osp.isfile(image_path(root, folder, 2, 'l'))
    assert image_path(root, folder, 2, 'r').endswith(
        osp.join(folder, 'image_03', 'data', '0000000002.png'))
