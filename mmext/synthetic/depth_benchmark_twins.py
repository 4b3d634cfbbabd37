"""Synthetic twins of the cross-domain depth benchmarks' on-disk layouts (tests, demos).

``generate_nyu_twin(root)`` writes the BTS NYU Depth V2 layout::

    root/official_splits/test/<scene>/rgb_<n>.jpg          8-bit colour, 480x640
    root/official_splits/test/<scene>/sync_depth_<n>.png   uint16 millimetres
    root/nyudepthv2_test_files_with_gt.txt                 "<scene>/rgb_<n>.jpg <scene>/sync..."

``generate_kitti_eigen_twin(root)`` writes the KITTI raw + depth-annotated layout::

    root/raw_data/<date>/<drive>/image_02/data/<frame>.png
    root/data_depth_annotated/val/<drive>/proj_depth/groundtruth/image_02/<frame>.png
        (uint16, depth x 256, 0 = no lidar point; sparse)
    root/eigen_val_files.txt   DAV2-style list with absolute paths of another machine

Scenes are simple (a room: floor, wall and a box; a road: ground plane and a wall), textured
so that depth is learnable; the ground truth is exact for the rendered geometry. Each twin
writes a stamp (``synthetic_info_nyu.json`` / ``synthetic_info_kitti_eigen.json``: generator
version, arguments, content sha256; :mod:`mmext.synthetic.stamp`); OpenCV runs its portable
code path, so the bytes do not depend on the machine's SIMD kernels.
"""
import os
import os.path as osp
from typing import Dict, List, Tuple

import cv2
import numpy as np

from mmext.utils.determinism import portable_opencv
from .stamp import call_params, is_current, write_stamp

__all__ = ['generate_nyu_twin', 'generate_kitti_eigen_twin', 'is_generated', 'GENERATOR_VERSION']

# Bumped whenever the same arguments write other bytes (both twins). 2: OpenCV's portable
# code path (its SIMD float64 resize differed by up to 1.2e-6 and changed NYU JPEG bytes).
GENERATOR_VERSION = 2
_NAME = 'mmext.synthetic.depth_benchmark_twins'
STAMPS = dict(nyu='synthetic_info_nyu.json', kitti_eigen='synthetic_info_kitti_eigen.json')


def _texture(rng, h, w, base):
    noise = rng.uniform(-0.15, 0.15, (h // 8 + 1, w // 8 + 1, 3))
    noise = cv2.resize(noise, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.clip(np.asarray(base)[None, None] + noise, 0, 1)


@portable_opencv()
def generate_nyu_twin(root: str, num_images: int = 3, seed: int = 0,
                      K: Tuple[float, float, float, float] = (518.8579, 519.4696, 325.5824,
                                                                  253.7362)) -> List[Dict]:
    """Indoor rooms at 480x640 in the BTS NYU layout; returns per-image info dicts."""
    params = call_params(generate_nyu_twin, locals())
    rng = np.random.default_rng(seed)
    H, W = 480, 640
    fx, fy, cx, cy = K
    v, u = np.mgrid[0:H, 0:W].astype(np.float64)
    base = osp.join(root, 'official_splits', 'test')
    lines, info = [], []
    for i in range(num_images):
        scene = ['kitchen_0004', 'bedroom_0010', 'office_0003'][i % 3]
        n = 45 + 7 * i
        os.makedirs(osp.join(base, scene), exist_ok=True)
        cam_h, wall = rng.uniform(1.0, 1.5), rng.uniform(3.0, 5.0)
        # Floor y = cam_h (camera y down): z = cam_h * fy / (v - cy) below the horizon.
        with np.errstate(divide='ignore'):
            z_floor = np.where(v > cy + 1, cam_h * fy / np.maximum(v - cy, 1e-6), np.inf)
        depth = np.minimum(z_floor, wall)
        bx0, bx1 = sorted(rng.integers(100, 540, 2))
        by0, by1 = sorted(rng.integers(150, 420, 2))
        depth[by0:by1 + 20, bx0:bx1 + 20] = np.minimum(depth[by0:by1 + 20, bx0:bx1 + 20],
                                                       rng.uniform(1.2, 2.5))
        img = np.where((depth == wall)[..., None], _texture(rng, H, W, [0.8, 0.75, 0.7]),
                       _texture(rng, H, W, [0.5, 0.35, 0.25]))
        img = img * np.clip(1.6 / depth, 0.3, 1.0)[..., None]
        img[:8], img[-8:], img[:, :8], img[:, -8:] = 1.0, 1.0, 1.0, 1.0   # NYU's white border
        depth_mm = np.round(depth * 1000).astype(np.uint16)
        rgb_rel, dep_rel = f'{scene}/rgb_{n:05d}.jpg', f'{scene}/sync_depth_{n:05d}.png'
        cv2.imwrite(osp.join(base, rgb_rel), (img[..., ::-1] * 255).astype(np.uint8))
        cv2.imwrite(osp.join(base, dep_rel), depth_mm)
        lines.append(f'{rgb_rel} {dep_rel} {fx}')
        info.append(dict(rgb=osp.join(base, rgb_rel), depth=osp.join(base, dep_rel),
                         depth_m=depth_mm.astype(np.float64) / 1000))
    with open(osp.join(root, 'nyudepthv2_test_files_with_gt.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    write_stamp(root, _NAME, GENERATOR_VERSION, dict(params, twin='nyu'),
                paths=['official_splits', 'nyudepthv2_test_files_with_gt.txt'],
                name=STAMPS['nyu'])
    return info


@portable_opencv()
def generate_kitti_eigen_twin(root: str, num_images: int = 3, seed: int = 0,
                              size: Tuple[int, int] = (375, 1242), focal: float = 721.5377,
                              lidar_density: float = 0.06) -> List[Dict]:
    """Road scenes in the KITTI raw + depth-annotated layout; returns per-image info dicts."""
    params = call_params(generate_kitti_eigen_twin, locals())
    rng = np.random.default_rng(seed)
    H, W = size
    s = W / 1242
    f, cx, cy = focal * s, 609.6 * s, 172.9 * H / 375
    v, u = np.mgrid[0:H, 0:W].astype(np.float64)
    date, drive = '2011_09_26', '2011_09_26_drive_0002_sync'
    raw = osp.join(root, 'raw_data', date, drive, 'image_02', 'data')
    ann = osp.join(root, 'data_depth_annotated', 'val', drive, 'proj_depth', 'groundtruth',
                   'image_02')
    os.makedirs(raw, exist_ok=True)
    os.makedirs(ann, exist_ok=True)
    lines, info = [], []
    for i in range(num_images):
        frame = f'{69 - 15 * i:010d}.png'
        cam_h, wall = 1.65, rng.uniform(30.0, 70.0)
        with np.errstate(divide='ignore'):
            z_road = np.where(v > cy + 1, cam_h * f / np.maximum(v - cy, 1e-6), np.inf)
        depth = np.minimum(z_road, wall)
        img = np.where((z_road < wall)[..., None], _texture(rng, H, W, [0.35, 0.35, 0.38]),
                       _texture(rng, H, W, [0.5, 0.6, 0.45]))
        img = img * np.clip(8.0 / depth, 0.35, 1.0)[..., None]
        lidar = (rng.random((H, W)) < lidar_density) & (v > H * 0.35) & (depth < 80)
        gt = np.where(lidar, np.round(depth * 256), 0).astype(np.uint16)
        cv2.imwrite(osp.join(raw, frame), (img[..., ::-1] * 255).astype(np.uint8))
        cv2.imwrite(osp.join(ann, frame), gt)
        # DAV2's list: absolute paths of the machine that wrote it.
        lines.append(f'/mnt/other/Kitti/raw_data/{date}/{drive}/image_02/data/{frame} '
                     f'/mnt/other/Kitti/data_depth_annotated/val/{drive}/proj_depth/'
                     f'groundtruth/image_02/{frame}')
        info.append(dict(rgb=osp.join(raw, frame), depth=osp.join(ann, frame),
                         depth_m=gt.astype(np.float64) / 256))
    with open(osp.join(root, 'eigen_val_files.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    write_stamp(root, _NAME, GENERATOR_VERSION, dict(params, twin='kitti_eigen'),
                paths=['raw_data', 'data_depth_annotated', 'eigen_val_files.txt'],
                name=STAMPS['kitti_eigen'])
    return info


def is_generated(root: str, twin: str, **params) -> bool:
    """True when ``root`` holds ``twin`` (``'nyu'`` or ``'kitti_eigen'``) of this generator
    version written with ``params`` (keyword arguments of its function; defaults filled in)."""
    fn = dict(nyu=generate_nyu_twin, kitti_eigen=generate_kitti_eigen_twin)[twin]
    return is_current(root, _NAME, GENERATOR_VERSION, dict(call_params(fn, params), twin=twin),
                      name=STAMPS[twin])
