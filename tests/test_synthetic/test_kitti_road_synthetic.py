"""The synthetic KITTI twin: analytic road depth, recoverable object heights, finite depth,
determinism and the written layout."""
import hashlib
import os
import os.path as osp

import numpy as np
import pytest

from mmext.synthetic.kitti_road import (build_road_scene, drive_poses, kitti_calibration,
                                        kitti_like_intrinsics, render_view,
                                        write_synthetic_kitti)

SIZE = (416, 128)


@pytest.fixture(scope='module')
def view():
    scene = build_road_scene(np.random.default_rng(11), 10.0, camera_height=1.65)
    K = kitti_like_intrinsics(SIZE)
    return scene, K, render_view(scene, drive_poses(3)[1], K, SIZE)


def test_road_depth_is_analytic(view):
    """A road pixel below the horizon sees the plane 1.65 m below: z = h fy / (v - cy)."""
    scene, K, out = view
    H, W = out['depth'].shape
    assert (H, W) == (128, 416) and out['rgb'].shape == (128, 416, 3)
    v = np.arange(H, dtype=np.float64)[:, None].repeat(W, 1)
    road = out['road']
    assert road.sum() > 0.1 * H * W and (v[road] > K[1, 2]).all()
    expected = 1.65 * K[1, 1] / (v[road] - K[1, 2])
    np.testing.assert_allclose(out['depth'][road], expected, rtol=1e-5)
    assert np.isfinite(out['depth']).all() and out['depth'].max() <= 80.0
    assert out['depth'].min() > 0


def test_object_heights_recoverable_from_depth_and_mask(view):
    """Back-project each visible object: its highest point is its true height above the road
    (to within the pixel size at its depth)."""
    scene, K, out = view
    H, W = out['depth'].shape
    vv, uu = np.mgrid[0:H, 0:W]
    y = (vv - K[1, 2]) / K[1, 1] * out['depth']          # camera y (down); road at +1.65
    checked = 0
    for oid in np.unique(out['instances'])[1:]:
        m = out['instances'] == oid
        if m.sum() < 20 or m[0].any() or m[-1].any() or m[:, 0].any() or m[:, -1].any():
            continue                                     # too small or truncated
        top = 1.65 - y[m].min()
        true = scene.heights[oid - 1]
        tol = 1.5 * out['depth'][m].max() / K[1, 1]
        assert true - tol <= top <= true + 1e-3, (oid, scene.labels[oid - 1], top, true)
        checked += 1
    assert checked >= 3


def test_scene_is_deterministic_and_objects_are_plausible():
    a = build_road_scene(np.random.default_rng(5), 30.0)
    b = build_road_scene(np.random.default_rng(5), 30.0)
    np.testing.assert_array_equal(a.centre, b.centre)
    assert a.labels == b.labels and set(a.labels) == {'car', 'pedestrian'}
    cars = a.heights[np.array(a.labels) == 'car']
    peds = a.heights[np.array(a.labels) == 'pedestrian']
    assert abs(cars.mean() - 1.5) < 0.1 and abs(peds.mean() - 1.7) < 0.15
    K = kitti_like_intrinsics((64, 20))
    r1 = render_view(a, np.eye(4), K, (64, 20))
    r2 = render_view(b, np.eye(4), K, (64, 20))
    for key in r1:
        np.testing.assert_array_equal(r1[key], r2[key])


def test_calibration_is_consistent():
    c = kitti_calibration((416, 128))
    P = c['P_rect_02'] @ np.block([[c['R_rect_00'], np.zeros((3, 1))], [np.zeros((1, 3)), 1]])
    V = np.eye(4)
    V[:3, :3], V[:3, 3] = c['velo_R'], c['velo_T']
    np.testing.assert_allclose(P @ V, c['K'] @ c['T_cam2_velo'][:3], atol=1e-9)
    # velodyne 0.08 m above and 0.27 m behind camera 2; its x axis looks forward
    np.testing.assert_allclose(c['T_cam2_velo'][:3, 3], [0, -0.08, -0.27])
    np.testing.assert_allclose(c['T_cam2_velo'][:3, 0], [0, 0, 1])


def _digest(root):
    h = hashlib.sha256()
    for dirpath, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(files):
            path = osp.join(dirpath, name)
            h.update(osp.relpath(path, root).encode())
            with open(path, 'rb') as f:
                h.update(f.read())
    return h.hexdigest()


def test_written_layout_and_determinism(tmp_path):
    kw = dict(num_drives=2, frames_per_drive=4, image_size=(64, 20), seed=3)
    info = write_synthetic_kitti(str(tmp_path / 'a'), **kw)
    write_synthetic_kitti(str(tmp_path / 'b'), **kw)
    assert _digest(str(tmp_path / 'a')) == _digest(str(tmp_path / 'b'))
    root = str(tmp_path / 'a')
    drive = osp.join(root, '2011_09_26', '2011_09_26_drive_0001_sync')
    for rel in ('image_02/data/0000000003.png', 'velodyne_points/data/0000000000.bin',
                'proj_depth/groundtruth/image_02/0000000002.png'):
        assert osp.isfile(osp.join(drive, rel)), rel
    masks = np.load(osp.join(root, 'masks', '2011_09_26', '2011_09_26_drive_0001_sync',
                             'image_02', '0000000001.npz'))
    assert masks['road'].dtype == np.uint8 and masks['road'].shape == (20, 64)
    assert masks['instances'].dtype == np.int32
    n = len(masks['labels'])
    assert masks['labels'].dtype.kind == 'U' and masks['heights'].shape == (n, )
    assert set(np.unique(masks['instances'])) <= set(range(n + 1))
    with open(info['splits']['train']) as f:
        train = f.read().split('\n')
    with open(info['splits']['test']) as f:
        test = f.read().split()
    assert all('drive_0001' in ln for ln in train if ln)
    assert test[0] == '2011_09_26/2011_09_26_drive_0002_sync' and test[1:3] == ['1', 'l']
    gt = np.load(info['gt_depths'], allow_pickle=True)['data']
    assert gt.dtype == object and len(gt) == 2 and gt[0].shape == (20, 64)
    with pytest.raises(ValueError, match='num_drives'):
        write_synthetic_kitti(str(tmp_path / 'c'), num_drives=1)
