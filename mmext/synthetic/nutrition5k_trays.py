"""Synthetic food trays written in the Nutrition5k on-disk layout.

``generate_nutrition5k(root, ...)`` writes::

    root/imagery/realsense_overhead/dish_<unix ts>/rgb.png          8-bit RGB, 640x480
    root/imagery/realsense_overhead/dish_<unix ts>/depth_raw.png    uint16, 1 unit = 1e-4 m
    root/imagery/realsense_overhead/dish_<unix ts>/depth_color.png  colourised depth
    root/metadata/dish_metadata_cafe1.csv                          no header (see below)
    root/dish_ids/splits/depth_{train,test}_ids.txt                official-style split files
    root/masks/dish_<unix ts>.png                                   food masks (mmext extra)
    root/volumes.csv                                               dish_id,volume_ml (analytic)

Each tray is a plate on a (possibly slightly tilted) table 0.359 m below an overhead camera with
foods on it: spherical caps, boxes, cylinders and flat heaps, textured and shaded so depth and
volume are learnable from the RGB image. Dish ids are unix timestamps grouped in sessions
(shots a few seconds to minutes apart, sessions hours apart) so split tools can be tested on a
known session structure. Optional faults reproduce real-data cases: dishes without depth and a
dish whose depth is stored in millimetres instead of 1e-4 m. ``root/synthetic_info.json``
records the generator version, the arguments and a content sha256
(:mod:`mmext.synthetic.stamp`); the bytes do not depend on the machine (OpenCV's portable
code path; sines and cosines from the C library, :mod:`mmext.utils.determinism`).
"""
import csv
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from mmext.utils.determinism import libm_cos, libm_sin, portable_opencv
from .nutrition5k_solids import Box, Cylinder, SphericalCap, TableScene, intrinsics, render_scene
from .stamp import call_params, is_current, write_stamp

# Bumped whenever the same arguments write other bytes.
GENERATOR_VERSION = 1
_NAME = 'mmext.synthetic.nutrition5k_trays'

DEFAULT_K = (616.0, 616.0, 319.5, 239.5)   # fx, fy, cx, cy at 640x480 (D435-like)
FOOD_COLOURS = np.array([[200, 140, 60], [90, 160, 60], [210, 70, 50], [230, 200, 120],
                         [140, 90, 50], [250, 230, 200]], np.float64) / 255.0


def _random_foods(rng: np.random.Generator, plate_z: float, n: int) -> List:
    foods, centres = [], []
    for _ in range(50):
        if len(foods) == n:
            break
        kind = rng.choice(['cap', 'box', 'cylinder', 'heap'])
        size = rng.uniform(0.02, 0.035)                   # footprint radius (m)
        r, ang = rng.uniform(0, 0.045), rng.uniform(0, 2 * np.pi)
        cx, cy = r * libm_cos(ang), r * libm_sin(ang)
        if any(np.hypot(cx - x, cy - y) < size + s + 0.004 for x, y, s in centres):
            continue
        if kind == 'cap':
            f = SphericalCap(cx, cy, size, rng.uniform(0.4, 0.9) * size, z0=plate_z)
        elif kind == 'heap':
            f = SphericalCap(cx, cy, size, rng.uniform(0.15, 0.3) * size, z0=plate_z)
        elif kind == 'cylinder':
            f = Cylinder(cx, cy, size * 0.9, rng.uniform(0.01, 0.035), z0=plate_z)
        else:
            side = size * 1.3
            f = Box(cx, cy, side, side * rng.uniform(0.6, 1.0), rng.uniform(0.01, 0.03),
                    yaw=rng.uniform(0, np.pi / 2), z0=plate_z)
        foods.append(f)
        centres.append((cx, cy, size * 1.45 if kind == 'box' else size))
    return foods


def _shade(depth: np.ndarray, label: np.ndarray, local: np.ndarray, colours: np.ndarray,
           rng: np.random.Generator, K: np.ndarray) -> np.ndarray:
    """Lambertian shading from the depth normals plus per-surface procedural texture."""
    H, W = depth.shape
    v, u = np.mgrid[0:H, 0:W].astype(np.float64)
    X = np.stack([(u - K[0, 2]) / K[0, 0] * depth, (v - K[1, 2]) / K[1, 1] * depth, depth], -1)
    n = np.cross(np.gradient(X, axis=1), np.gradient(X, axis=0))
    n /= np.linalg.norm(n, axis=-1, keepdims=True) + 1e-12
    light = np.array([0.3, -0.4, -0.87])
    light /= np.linalg.norm(light)
    lambert = np.clip(-(n @ light), 0, 1)
    base = colours[np.clip(label, 0, len(colours) - 1)]
    x, y = local[..., 0], local[..., 1]
    tex = 0.08 * libm_sin(x * rng.uniform(300, 600)) * libm_cos(y * rng.uniform(300, 600))
    tex += 0.05 * libm_sin((x + 2 * y) * 900 + label)
    img = base * (0.35 + 0.65 * lambert[..., None]) + tex[..., None]
    img += rng.normal(0, 0.01, img.shape)
    return (np.clip(img, 0, 1) * 255).astype(np.uint8)


def render_tray(rng: np.random.Generator, K: np.ndarray, size=(480, 640), max_tilt=0.03,
                height=0.359, n_foods: Optional[int] = None) -> Dict:
    """Render one tray: rgb (H, W, 3) uint8, depth (m), food mask, analytic food volume (m^3)."""
    plate_h = rng.uniform(0.004, 0.008)
    plate = Cylinder(rng.uniform(-0.01, 0.01), rng.uniform(-0.01, 0.01), 0.11, plate_h)
    foods = _random_foods(rng, plate_h, n_foods or int(rng.integers(1, 4)))
    scene = TableScene(K, size, height + rng.uniform(-0.005, 0.005),
                       rng.uniform(-max_tilt, max_tilt), rng.uniform(-max_tilt, max_tilt),
                       solids=[plate] + foods)
    depth, label, local = render_scene(scene)
    table_col = np.array([0.45, 0.35, 0.25]) * rng.uniform(0.8, 1.2)
    colours = np.concatenate([[table_col], [[0.93, 0.93, 0.95]],
                              FOOD_COLOURS[rng.permutation(len(FOOD_COLOURS))[:len(foods)]]])
    rgb = _shade(depth, label, local, colours, rng, K)
    return dict(rgb=rgb, depth=depth, mask=label >= 2,
                volume=float(sum(f.volume for f in foods)), n_foods=len(foods))


def session_timestamps(rng: np.random.Generator, n_dishes: int, n_sessions: int,
                       start: int = 1_550_000_000) -> Tuple[List[int], List[int]]:
    """Dish timestamps in ``n_sessions`` sessions (10-200 s gaps inside, >= 2 h between)."""
    sizes = np.full(n_sessions, n_dishes // n_sessions)
    sizes[:n_dishes % n_sessions] += 1
    ts, sess, t = [], [], start
    for s, k in enumerate(sizes):
        for _ in range(int(k)):
            ts.append(t)
            sess.append(s)
            t += int(rng.integers(10, 200))
        t += int(rng.integers(7200, 86400))
    return ts, sess


@portable_opencv()
def generate_nutrition5k(root: str, num_dishes: int = 24, num_sessions: int = 6, seed: int = 0,
                         size: Tuple[int, int] = (480, 640), K: Sequence[float] = DEFAULT_K,
                         test_ratio: float = 0.25, max_tilt: float = 0.03,
                         no_depth: int = 0, mm_units: int = 0, write_masks: bool = True) -> Dict:
    """Write a synthetic Nutrition5k-layout data set; returns its ground truth.

    Args:
        root: Output directory.
        num_dishes: Number of dishes.
        num_sessions: Number of capture sessions the dish timestamps are grouped in.
        seed: Random seed.
        size: Image size ``(H, W)``.
        K: ``(fx, fy, cx, cy)`` of the rendering camera for ``size``.
        test_ratio: Share of *sessions* in ``depth_test_ids.txt`` (a leak-free split).
        max_tilt: Largest table tilt (rad) about each camera axis.
        no_depth: Number of dishes written without depth_raw.png (real data has some).
        mm_units: Number of dishes whose depth_raw.png is in millimetres (unit fault).
        write_masks: Also write ``masks/dish_<id>.png``.

    Returns:
        ``{'dish_ids', 'sessions', 'volumes_ml', 'train_ids', 'test_ids', 'no_depth',
        'mm_units', 'K', 'content_sha256'}``.
    """
    params = call_params(generate_nutrition5k, locals())
    rng = np.random.default_rng(seed)
    Kmat = intrinsics(*K)
    ts, sess = session_timestamps(rng, num_dishes, num_sessions)
    ids = [f'dish_{t}' for t in ts]
    img_root = osp.join(root, 'imagery', 'realsense_overhead')
    for d in ('metadata', osp.join('dish_ids', 'splits'), 'masks'):
        os.makedirs(osp.join(root, d), exist_ok=True)
    fault = rng.permutation(num_dishes)
    lacking = set(fault[:no_depth].tolist())
    in_mm = set(fault[no_depth:no_depth + mm_units].tolist())
    volumes, meta_rows = {}, []
    for i, dish in enumerate(ids):
        tray = render_tray(rng, Kmat, size, max_tilt)
        ddir = osp.join(img_root, dish)
        os.makedirs(ddir, exist_ok=True)
        cv2.imwrite(osp.join(ddir, 'rgb.png'), tray['rgb'][..., ::-1])
        if i not in lacking:
            scale = 1e3 if i in in_mm else 1e4
            raw = np.clip(np.round(tray['depth'] * scale), 0, 65535).astype(np.uint16)
            cv2.imwrite(osp.join(ddir, 'depth_raw.png'), raw)
            scaled = np.clip((0.40 - tray['depth']) / 0.12 * 255, 0, 255).astype(np.uint8)
            col = cv2.applyColorMap(scaled, cv2.COLORMAP_JET)
            cv2.imwrite(osp.join(ddir, 'depth_color.png'), col)
        if write_masks:
            cv2.imwrite(osp.join(root, 'masks', f'{dish}.png'), tray['mask'].astype(np.uint8) * 255)
        vol_ml = tray['volume'] * 1e6
        volumes[dish] = vol_ml
        mass = vol_ml * 0.8
        row = [dish, f'{mass * 1.5:.4f}', f'{mass:.4f}', f'{mass * 0.05:.4f}',
               f'{mass * 0.2:.4f}', f'{mass * 0.1:.4f}']
        for j in range(tray['n_foods']):   # 7-field ingredient groups
            row += [f'ingr_{j:010d}', f'food{j}', f'{mass / tray["n_foods"]:.2f}', '0', '0', '0',
                    '0']
        meta_rows.append(row)
    with open(osp.join(root, 'metadata', 'dish_metadata_cafe1.csv'), 'w', newline='') as f:
        csv.writer(f).writerows(meta_rows)
    with open(osp.join(root, 'volumes.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['dish_id', 'volume_ml'])
        w.writerows([[d, f'{v:.6f}'] for d, v in volumes.items()])
    n_test = max(1, int(round(num_sessions * test_ratio)))
    test_sessions = set(rng.permutation(num_sessions)[:n_test].tolist())
    train_ids = [d for d, s in zip(ids, sess) if s not in test_sessions]
    test_ids = [d for d, s in zip(ids, sess) if s in test_sessions]
    for name, lst in (('depth_train_ids.txt', train_ids), ('depth_test_ids.txt', test_ids)):
        with open(osp.join(root, 'dish_ids', 'splits', name), 'w') as f:
            f.write('\n'.join(lst) + '\n')
    stamp = write_stamp(root, _NAME, GENERATOR_VERSION, params,
                        paths=['imagery', 'metadata', 'dish_ids', 'masks', 'volumes.csv'])
    return dict(dish_ids=ids, sessions=sess, volumes_ml=volumes, train_ids=train_ids,
                test_ids=test_ids, no_depth=[ids[i] for i in sorted(lacking)],
                mm_units=[ids[i] for i in sorted(in_mm)], K=Kmat,
                content_sha256=stamp['content']['sha256'])


def is_generated(root: str, **params) -> bool:
    """True when ``root`` holds a set of this generator version written with ``params``
    (keyword arguments of :func:`generate_nutrition5k`; missing ones take its defaults)."""
    return is_current(root, _NAME, GENERATOR_VERSION, call_params(generate_nutrition5k, params))
