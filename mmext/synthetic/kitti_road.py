"""Synthetic KITTI-raw twin: drives through ray-cast streets written in KITTI's *real* layout.

Each drive is one random :class:`~mmext.synthetic.road_scene.RoadScene` (flat road, lane
markings, buildings, backdrop, static cars / pedestrians standing on the road) seen by a
camera exactly ``camera_height`` above the road, moving ``speed`` metres per frame along
+z. Written under ``root`` (what :class:`mmext.selfsup.datasets.KITTIRawDataset` reads)::

    <date>/calib_cam_to_cam.txt            S_rect_0X, R_rect_00, P_rect_0X (X = 0..3), ...
    <date>/calib_velo_to_cam.txt           R, T (velodyne x fwd, y left, z up -> camera 0)
    <date>/<date>_drive_<dddd>_sync/
        image_02/data/<frame:010d>.png                   RGB uint8 (left colour camera)
        velodyne_points/data/<frame:010d>.bin            float32 (N, 4) x, y, z, reflectance
        proj_depth/groundtruth/image_02/<frame:010d>.png dense depth, uint16 = depth * 256
    masks/<date>/<date>_drive_<dddd>_sync/image_02/<frame:010d>.npz   road / instance masks
    splits/<split_name>/{train,val,test}_files.txt       "folder frame side" (monodepth2)
    splits/<split_name>/gt_depths.npz                    test-split velodyne depth (see below)

Camera and lidar follow KITTI: rectified intrinsics are monodepth2's normalised KITTI
``K`` at the written size (:func:`~mmext.synthetic.road_scene.kitti_like_intrinsics`);
camera 2 sits 0.06 m left of the rectified camera 0 (``P_rect_02[0, 3] = 0.06 fx``),
camera 3 0.54 m right of camera 2; ``R_rect_00`` is a small rotation; the velodyne is
mounted ``velo_offset = (0.08 up, 0.27 back)`` from camera 2 with its axes aligned with the
road. Velodyne scans sample the rendered depth on ~64 beam-like image rows (pixel centres,
so projecting them with ``pixel_offset=0`` lands exactly on those pixels), plus points no
projection may keep: a few *farther* points on the same rays (lidar/camera parallax, the
nearest must win), the mirrored rear half of the sweep (velodyne ``x < 0``) and side points
outside the field of view.

The mask npz format is documented in :mod:`mmext.selfsup.datasets.road_masks`
(read by ``LoadRoadInstanceMasks``); the synthetic files add ``heights`` (true object
heights).
``gt_depths.npz`` holds ``data``: an object array of float32 (H, W) sparse depth maps in
test-split order (monodepth2's format; read it with ``load_gt_depths``), written here
exactly (camera z at the velodyne pixels, ``pixel_offset=0``): it equals
``export_gt_depths(root, test_files, out, pixel_offset=0, depth_from='cam_z')``.

Example:
    >>> write_synthetic_kitti('data/kitti_synth', num_drives=4, frames_per_drive=60)
"""
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import cv2
import numpy as np

from mmext.utils.determinism import libm_cos, libm_sin, libm_tan, portable_opencv
from .road_scene import (OBJECT_TYPES, RoadScene, build_road_scene, drive_poses,
                         kitti_like_intrinsics, render_view)
from .stamp import call_params, is_current, write_stamp

__all__ = ['write_synthetic_kitti', 'is_generated', 'GENERATOR_VERSION', 'kitti_calibration',
           'velodyne_scan', 'render_view',
           'build_road_scene', 'drive_poses', 'kitti_like_intrinsics', 'RoadScene',
           'OBJECT_TYPES']

# Bumped whenever the same arguments write other bytes (the stamp then no longer matches).
# Version 1: the twin as first released; the libm sines/cosines and OpenCV's portable path
# (added later) wrote byte-identical files on the project machine, so it stayed 1.
GENERATOR_VERSION = 1
_NAME = 'mmext.synthetic.kitti_road'

# velodyne axes (x fwd, y left, z up) -> camera axes (x right, y down, z fwd)
_VELO_AXES = np.array([[0., -1., 0.], [0., 0., -1.], [1., 0., 0.]])


def _rot_x(a: float) -> np.ndarray:
    c, s = libm_cos(a), libm_sin(a)
    return np.array([[1., 0., 0.], [0., c, -s], [0., s, c]])


def _rot_y(a: float) -> np.ndarray:
    c, s = libm_cos(a), libm_sin(a)
    return np.array([[c, 0., s], [0., 1., 0.], [-s, 0., c]])


def kitti_calibration(image_size: Tuple[int, int], velo_offset: Tuple[float, float] = (0.08, 0.27),
                      rect_rotation: Tuple[float, float] = (0.004, -0.006),
                      baseline: float = 0.54, cam2_offset: float = 0.06) -> Dict[str, np.ndarray]:
    """KITTI-like calibration of the twin's rig.

    Args:
        image_size: ``(W, H)`` of the rectified images.
        velo_offset: Velodyne origin ``(up, back)`` of camera 2, metres.
        rect_rotation: ``R_rect_00`` as rotations about x and y (radians).
        baseline: Camera 2 -> camera 3 distance (to the right).
        cam2_offset: Camera 2 lies this far left of the rectified camera 0.

    Returns:
        ``K`` (3x3), ``P_rect_0X`` (3x4, X = 0..3), ``R_rect_00`` (3x3), ``velo_R`` (3x3),
        ``velo_T`` (3,) of ``calib_velo_to_cam.txt`` and ``T_cam2_velo`` (4x4, velodyne ->
        camera 2), consistent: ``P_rect_02 @ R_rect_00 @ [velo_R | velo_T]`` projects
        velodyne points exactly as ``K @ T_cam2_velo``.
    """
    K = kitti_like_intrinsics(image_size)
    fx = K[0, 0]
    # X_cam = X_rect0 + t (P = K [I | t]); camera 1 is camera 0 + baseline to the right
    offsets = {0: 0.0, 1: -baseline, 2: cam2_offset, 3: cam2_offset - baseline}
    P = {}
    for cam, tx in offsets.items():
        P[cam] = np.concatenate([K, np.array([[fx * tx], [0.], [0.]])], axis=1)
    R_rect = _rot_x(rect_rotation[0]) @ _rot_y(rect_rotation[1])
    up, back = velo_offset
    p = np.array([0.0, -up, -back])                   # velodyne origin in camera 2
    t02 = np.array([cam2_offset, 0.0, 0.0])
    velo_R = R_rect.T @ _VELO_AXES                    # X_cam0 = velo_R X_velo + velo_T
    velo_T = R_rect.T @ (p - t02)
    T = np.eye(4)
    T[:3, :3], T[:3, 3] = _VELO_AXES, p
    return dict(K=K, R_rect_00=R_rect, velo_R=velo_R, velo_T=velo_T, T_cam2_velo=T,
                **{f'P_rect_0{c}': P[c] for c in P})


def _fmt(values) -> str:
    return ' '.join(f'{v:.12e}' for v in np.asarray(values, dtype=np.float64).ravel())


def _write_calib(calib_dir: str, calib: Dict[str, np.ndarray], image_size) -> None:
    os.makedirs(calib_dir, exist_ok=True)
    K = calib['K']
    lines = ['calib_time: 09-Jan-2012 13:57:47', 'corner_dist: 9.950000e-02']
    for c in range(4):
        lines += [f'S_0{c}: {_fmt(image_size)}', f'K_0{c}: {_fmt(K)}',
                  f'D_0{c}: {_fmt(np.zeros(5))}', f'R_0{c}: {_fmt(np.eye(3))}',
                  f'T_0{c}: {_fmt(calib[f"P_rect_0{c}"][:, 3] / K[0, 0])}',
                  f'S_rect_0{c}: {_fmt(image_size)}', f'R_rect_0{c}: {_fmt(calib["R_rect_00"])}',
                  f'P_rect_0{c}: {_fmt(calib[f"P_rect_0{c}"])}']
    with open(osp.join(calib_dir, 'calib_cam_to_cam.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    with open(osp.join(calib_dir, 'calib_velo_to_cam.txt'), 'w') as f:
        f.write('calib_time: 15-Mar-2012 11:37:16\n'
                f'R: {_fmt(calib["velo_R"])}\nT: {_fmt(calib["velo_T"])}\n'
                'delta_f: 0.000000e+00 0.000000e+00\ndelta_c: 0.000000e+00 0.000000e+00\n')


def velodyne_scan(rng: np.random.Generator, depth: np.ndarray, rgb: np.ndarray, K: np.ndarray,
                  T_cam_velo: np.ndarray, keep: float = 0.6, num_beams: int = 64,
                  beam_range_deg: Tuple[float, float] = (2.0, -24.8),
                  ghost_frac: float = 0.03, rear_frac: float = 0.1,
                  side_frac: float = 0.1) -> Tuple[np.ndarray, np.ndarray]:
    """A velodyne-like scan of a rendered view.

    Pixels on the image rows of ``num_beams`` beam elevations (HDL-64-like: +2 to -24.8
    degrees) are kept with probability ``keep``, back-projected with their depth and moved
    into the velodyne frame; ghosts, rear and side points are appended (module docstring).

    Args:
        rng: Random generator.
        depth: (H, W) camera z.
        rgb: (H, W, 3) uint8 colours (reflectance = mean intensity / 255).
        K: Intrinsics of ``depth``.
        T_cam_velo: 4x4 velodyne -> camera transform.
        keep: Fraction of the beam-row pixels sampled.
        num_beams: Number of beam elevations.
        beam_range_deg: Elevations of the first and last beam.
        ghost_frac, rear_frac, side_frac: Extra points, as fractions of the sampled ones.

    Returns:
        ``points`` float32 (N, 4) in the velodyne frame and ``pixels`` int64 (n, 2) ``(u, v)``
        of the true (non-extra) points, which are the first ``n`` rows of ``points``.
    """
    H, W = depth.shape
    elev = np.deg2rad(np.linspace(beam_range_deg[0], beam_range_deg[1], num_beams))
    rows = np.unique(np.round(K[1, 2] - K[1, 1] * libm_tan(elev)).astype(np.int64))
    rows = rows[(rows >= 0) & (rows < H)]
    vv, uu = np.meshgrid(rows, np.arange(W), indexing='ij')
    vv, uu = vv.ravel(), uu.ravel()
    sel = rng.random(len(vv)) < keep
    vv, uu = vv[sel], uu[sel]
    z = depth[vv, uu].astype(np.float64)
    cam = np.stack([(uu - K[0, 2]) / K[0, 0] * z, (vv - K[1, 2]) / K[1, 1] * z, z], -1)
    R, t = T_cam_velo[:3, :3], T_cam_velo[:3, 3]
    velo = (cam - t) @ R                                   # R^T (X_cam - t)
    refl = rgb[vv, uu].mean(-1) / 255.0
    n = len(velo)
    g = rng.choice(n, int(ghost_frac * n), replace=False)
    ghosts = ((cam[g] * rng.uniform(1.05, 1.6, (len(g), 1))) - t) @ R
    r = rng.choice(n, int(rear_frac * n), replace=False)
    rear = -velo[r]
    s = rng.choice(n, int(side_frac * n), replace=False)
    ang = np.deg2rad(rng.uniform(85.0, 120.0, len(s))) * rng.choice([-1.0, 1.0], len(s))
    c, si = libm_cos(ang), libm_sin(ang)
    side = np.stack([c * velo[s, 0] - si * velo[s, 1], si * velo[s, 0] + c * velo[s, 1],
                     velo[s, 2]], -1)
    pts = np.concatenate([velo, ghosts, rear, side])
    refl_all = np.concatenate([refl, refl[g], refl[r], refl[s]])
    points = np.concatenate([pts, refl_all[:, None]], 1).astype(np.float32)
    return points, np.stack([uu, vv], -1)


def _write_split(path: str, lines: Sequence[str]) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


@portable_opencv()
def write_synthetic_kitti(root: str, num_drives: int = 2, frames_per_drive: int = 30,
                          image_size: Tuple[int, int] = (416, 128), camera_height: float = 1.65,
                          speed: float = 1.0, seed: int = 0, split_name: str = 'synthetic',
                          date: str = '2011_09_26', lateral_wobble: float = 0.0,
                          yaw_wobble: float = 0.0, val_fraction: float = 0.1,
                          max_depth: float = 80.0, object_density: float = 0.3,
                          object_mix: Sequence[Tuple[str, float]] = (('car', 0.6),
                                                                     ('pedestrian', 0.4)),
                          velodyne_keep: float = 0.6) -> Dict[str, object]:
    """Write a synthetic KITTI-raw twin under ``root`` (layout: module docstring).

    The last drive is held out as the test split; the others give train and val (every
    frame with both neighbours present, shuffled, ``val_fraction`` of them for val). The
    test split lists the held-out drive's frames with both neighbours, in order.

    Args:
        root: Output root (the dataset's ``data_root``).
        num_drives: Number of drives (>= 2: the last one is the test drive).
        frames_per_drive: Frames per drive (>= 3).
        image_size: ``(W, H)`` of the images.
        camera_height: Camera height above the road, metres (KITTI: 1.65).
        speed: Metres driven per frame.
        seed: Seed; the same seed and arguments give identical files.
        split_name: Folder under ``<root>/splits``.
        date: KITTI date folder.
        lateral_wobble: Lateral sway amplitude of the camera (m); 0 = straight.
        yaw_wobble: Yaw sway amplitude (radians); 0 = straight.
        val_fraction: Fraction of the train/val frames used for val.
        max_depth: The farthest surface (backdrop) is at most this far (m).
        object_density: Objects per metre of road.
        object_mix: ``(category, weight)`` pairs (``car``, ``pedestrian``, ``cyclist``).
        velodyne_keep: Fraction of the beam-row pixels in each velodyne scan.

    Returns:
        ``splits`` (name -> split file), ``gt_depths`` (npz path), ``calib_dir``, ``folders``
        (the drive folders relative to ``root``), ``K`` (3x3), ``num_frames`` and
        ``content_sha256`` (of the files written; also in ``<root>/synthetic_info.json``).

    The bytes do not depend on the machine: OpenCV runs its portable code path and sines,
    cosines and tangents come from the C library (:mod:`mmext.utils.determinism`).
    """
    params = call_params(write_synthetic_kitti, locals())
    if num_drives < 2:
        raise ValueError(f'num_drives must be >= 2 (the last drive is the test split), got '
                         f'{num_drives}')
    if frames_per_drive < 3:
        raise ValueError(f'frames_per_drive must be >= 3 (frames need both neighbours), got '
                         f'{frames_per_drive}')
    W, H = int(image_size[0]), int(image_size[1])
    rng = np.random.default_rng(seed)
    calib = kitti_calibration((W, H))
    K = calib['K']
    calib_dir = osp.join(root, date)
    _write_calib(calib_dir, calib, (W, H))
    folders: List[str] = []
    gt_maps: List[np.ndarray] = []
    trainval: List[str] = []
    test: List[str] = []
    for d in range(num_drives):
        drive_rng = np.random.default_rng(rng.integers(2 ** 31))
        folder = f'{date}/{date}_drive_{d + 1:04d}_sync'
        folders.append(folder)
        length = (frames_per_drive - 1) * speed
        scene = build_road_scene(drive_rng, length, camera_height=camera_height,
                                 max_depth=max_depth, object_density=object_density,
                                 object_mix=object_mix)
        poses = drive_poses(frames_per_drive, speed, lateral_wobble, yaw_wobble,
                            phase=float(drive_rng.uniform(0, 2 * np.pi)))
        base = osp.join(root, folder)
        mask_dir = osp.join(root, 'masks', folder, 'image_02')
        dirs = [osp.join(base, 'image_02', 'data'), osp.join(base, 'velodyne_points', 'data'),
                osp.join(base, 'proj_depth', 'groundtruth', 'image_02'), mask_dir]
        for p in dirs:
            os.makedirs(p, exist_ok=True)
        is_test = d == num_drives - 1
        for i in range(frames_per_drive):
            view = render_view(scene, poses[i], K, (W, H))
            name = f'{i:010d}'
            cv2.imwrite(osp.join(dirs[0], name + '.png'), view['rgb'][..., ::-1])
            points, pix = velodyne_scan(drive_rng, view['depth'], view['rgb'], K,
                                        calib['T_cam2_velo'], keep=velodyne_keep)
            points.tofile(osp.join(dirs[1], name + '.bin'))
            gt = np.round(view['depth'].astype(np.float64) * 256)
            cv2.imwrite(osp.join(dirs[2], name + '.png'), np.clip(gt, 0, 65535).astype(np.uint16))
            ids = np.unique(view['instances'])
            ids = ids[ids > 0]
            remap = np.zeros(scene.num_objects + 1, dtype=np.int32)
            remap[ids] = np.arange(1, len(ids) + 1)
            np.savez_compressed(
                osp.join(mask_dir, name + '.npz'), road=view['road'].astype(np.uint8),
                instances=remap[view['instances']],
                labels=np.array([scene.labels[k - 1] for k in ids], dtype='<U16'),
                heights=scene.heights[ids - 1].astype(np.float32))
            if 0 < i < frames_per_drive - 1:
                line = f'{folder} {i} l'
                if is_test:
                    test.append(line)
                    sparse = np.zeros((H, W), dtype=np.float32)
                    sparse[pix[:, 1], pix[:, 0]] = view['depth'][pix[:, 1], pix[:, 0]]
                    gt_maps.append(sparse)
                else:
                    trainval.append(line)
    order = rng.permutation(len(trainval))
    n_val = max(1, int(round(val_fraction * len(trainval)))) if len(trainval) > 1 else 0
    val = [trainval[j] for j in sorted(order[:n_val])]
    train = [trainval[j] for j in order[n_val:]]
    split_dir = osp.join(root, 'splits', split_name)
    splits = {}
    for name, lines in (('train', train), ('val', val), ('test', test)):
        splits[name] = osp.join(split_dir, f'{name}_files.txt')
        _write_split(splits[name], lines)
    gt_path = osp.join(split_dir, 'gt_depths.npz')
    data = np.empty(len(gt_maps), dtype=object)       # 1-D object array, as monodepth2's
    data[:] = gt_maps
    np.savez_compressed(gt_path, data=data, depth_from=np.array('cam_z'),
                        pixel_offset=np.array(0))
    stamp = write_stamp(root, _NAME, GENERATOR_VERSION, params,
                        paths=[date, f'masks/{date}', f'splits/{split_name}'])
    return dict(splits=splits, gt_depths=gt_path, calib_dir=calib_dir, folders=folders, K=K,
                num_frames=frames_per_drive, content_sha256=stamp['content']['sha256'])


def is_generated(root: str, **params) -> bool:
    """True when ``root`` holds a twin written by this generator version with ``params``
    (keyword arguments of :func:`write_synthetic_kitti`; missing ones take its defaults)."""
    return is_current(root, _NAME, GENERATOR_VERSION, call_params(write_synthetic_kitti, params))
