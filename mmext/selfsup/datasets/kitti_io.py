"""Readers of the KITTI raw layout: calibration files, velodyne scans, projected depth.

KITTI raw (and the synthetic twin :mod:`mmext.synthetic.kitti_road`) is laid out as::

    <root>/<date>/calib_cam_to_cam.txt        S_rect_0X, R_rect_00, P_rect_0X, ... ("key: floats")
    <root>/<date>/calib_velo_to_cam.txt       R (3x3 row-major), T (3): velodyne -> camera 0
    <root>/<date>/<date>_drive_<dddd>_sync/image_0X/data/<frame:010d>.png
    <root>/<date>/<date>_drive_<dddd>_sync/velodyne_points/data/<frame:010d>.bin

Sizes follow KITTI's ``S_rect`` order ``(W, H)``; arrays (depth maps) have numpy's
``(H, W)`` shape. Cameras: ``side`` ``'l'`` / ``'2'`` is the left colour camera (image_02,
``P_rect_02``), ``'r'`` / ``'3'`` the right one (image_03, ``P_rect_03``).
"""
import os.path as osp
from typing import Dict, List, NamedTuple, Optional, Tuple

import numpy as np

__all__ = ['CAM_OF_SIDE', 'SplitLine', 'cam_index', 'read_split_file', 'image_path',
           'velodyne_path', 'calib_dir_of', 'read_calib_file', 'load_kitti_intrinsics',
           'load_velo_to_cam', 'load_velodyne_points', 'velodyne_to_depth']

CAM_OF_SIDE = {'l': 2, 'r': 3, '2': 2, '3': 3}
"""monodepth2's ``side_map``: split-file side -> KITTI colour camera index."""


def cam_index(side) -> int:
    """KITTI camera index (2 or 3) of a split-file side (``'l'``, ``'r'``, ``'2'``, ``'3'``).

    Raises:
        ValueError: For any other side.
    """
    key = str(side)
    if key not in CAM_OF_SIDE:
        raise ValueError(f"side must be one of 'l', 'r', '2', '3' (left/right colour camera), "
                         f'got {side!r}')
    return CAM_OF_SIDE[key]


class SplitLine(NamedTuple):
    """One line ``folder frame side`` of a monodepth2 split file."""
    folder: str
    frame_index: int
    side: str
    where: str          # '<split file>:<line number>', for error messages


def read_split_file(path: str) -> List[SplitLine]:
    """Parse a monodepth2 split file (``train_files.txt``, ``test_files.txt``, ...).

    Each non-empty line is ``<date>/<drive>_sync <frame> <side>``, e.g.
    ``2011_09_26/2011_09_26_drive_0001_sync 5 l`` (leading zeros in the frame allowed).

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: Naming the file, line number and line when a line is malformed.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'split file not found: {path!r}')
    lines: List[SplitLine] = []
    with open(path, encoding='utf-8') as f:
        for n, raw in enumerate(f, start=1):
            line = raw.strip()
            if not line:
                continue
            parts = line.split()
            where = f'{path}:{n}'
            msg = f'{where}: expected "folder frame side" (e.g. ' \
                  f'"2011_09_26/2011_09_26_drive_0001_sync 5 l"), got {line!r}'
            if len(parts) != 3:
                raise ValueError(msg)
            try:
                frame = int(parts[1])
            except ValueError:
                raise ValueError(msg + ' (frame is not an integer)') from None
            if parts[2] not in CAM_OF_SIDE:
                raise ValueError(msg + " (side must be 'l', 'r', '2' or '3')")
            lines.append(SplitLine(parts[0], frame, parts[2], where))
    return lines


def calib_dir_of(data_root: str, folder: str) -> str:
    """The date folder holding a drive's calibration (monodepth2: ``folder.split('/')[0]``)."""
    return osp.join(data_root, folder.split('/')[0])


def image_path(data_root: str, folder: str, frame_index: int, side, ext: str = '.png') -> str:
    """``<data_root>/<folder>/image_0X/data/<frame:010d><ext>``."""
    return osp.join(data_root, folder, f'image_0{cam_index(side)}', 'data',
                    f'{frame_index:010d}{ext}')


def velodyne_path(data_root: str, folder: str, frame_index: int) -> str:
    """``<data_root>/<folder>/velodyne_points/data/<frame:010d>.bin``."""
    return osp.join(data_root, folder, 'velodyne_points', 'data', f'{frame_index:010d}.bin')


def read_calib_file(path: str) -> Dict[str, np.ndarray]:
    """Read a KITTI calibration text file of ``key: v1 v2 ...`` lines.

    Numeric values become 1-D float64 arrays; non-numeric values (e.g. ``calib_time:
    09-Jan-2012 13:57:47``) are kept as strings. Empty lines are skipped.

    Args:
        path: The file (``calib_cam_to_cam.txt``, ``calib_velo_to_cam.txt``, ...).

    Returns:
        ``{key: values}``.

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        ValueError: Naming the file and line when a line has no ``key:``.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'KITTI calibration file not found: {path!r}')
    data: Dict[str, np.ndarray] = {}
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, start=1):
            line = line.strip()
            if not line:
                continue
            key, sep, value = line.partition(':')
            if not sep or not key.strip():
                raise ValueError(f'{path}:{n}: expected "key: values", got {line!r}')
            value = value.strip()
            try:
                data[key.strip()] = np.array([float(v) for v in value.split()],
                                             dtype=np.float64)
            except ValueError:
                data[key.strip()] = value  # type: ignore[assignment]
    return data


def _get(calib: Dict[str, np.ndarray], key: str, size: int, path: str) -> np.ndarray:
    value = calib.get(key)
    if value is None:
        raise ValueError(f'{path}: missing key {key!r} (found {sorted(calib)[:12]})')
    if not isinstance(value, np.ndarray) or value.size != size:
        raise ValueError(f'{path}: {key!r} must hold {size} numbers, got {value!r}')
    return value


def load_kitti_intrinsics(calib_dir: str, side='l') -> Tuple[np.ndarray, Tuple[int, int]]:
    """Intrinsics of a rectified colour camera from ``<calib_dir>/calib_cam_to_cam.txt``.

    Args:
        calib_dir: The date folder holding the calibration files.
        side: ``'l'`` / ``'2'`` (``P_rect_02``) or ``'r'`` / ``'3'`` (``P_rect_03``).

    Returns:
        ``(K, (W, H))``: the 3x3 float64 ``P_rect_0X[:3, :3]`` (for the image at its original
        size) and the rectified image size ``S_rect_0X``.

    Raises:
        FileNotFoundError: If the calibration file is missing.
        ValueError: If a key is missing or malformed (naming the file).
    """
    cam = cam_index(side)
    path = osp.join(calib_dir, 'calib_cam_to_cam.txt')
    calib = read_calib_file(path)
    P = _get(calib, f'P_rect_0{cam}', 12, path).reshape(3, 4)
    S = _get(calib, f'S_rect_0{cam}', 2, path)
    return P[:, :3].copy(), (int(round(S[0])), int(round(S[1])))


def load_velo_to_cam(calib_dir: str) -> np.ndarray:
    """The 4x4 velodyne -> (unrectified) camera 0 transform of ``calib_velo_to_cam.txt``."""
    path = osp.join(calib_dir, 'calib_velo_to_cam.txt')
    calib = read_calib_file(path)
    T = np.eye(4)
    T[:3, :3] = _get(calib, 'R', 9, path).reshape(3, 3)
    T[:3, 3] = _get(calib, 'T', 3, path)
    return T


def load_velodyne_points(path: str) -> np.ndarray:
    """Read a velodyne scan: float32 ``(N, 4)`` rows ``x, y, z, reflectance``.

    Velodyne axes: x forward, y left, z up (metres).

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If its size is not a multiple of 16 bytes (4 float32 per point).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'velodyne scan not found: {path!r}')
    size = osp.getsize(path)
    if size % 16:
        raise ValueError(f'velodyne scan {path!r} has {size} bytes, not a multiple of 16 '
                         f'(expected float32 rows x, y, z, reflectance)')
    return np.fromfile(path, dtype=np.float32).reshape(-1, 4)


def velodyne_to_depth(calib_dir: str, velo_bin_path: str, side='l',
                      image_size: Optional[Tuple[int, int]] = None, pixel_offset: int = 1,
                      depth_from: str = 'cam_z') -> np.ndarray:
    """Project a velodyne scan into a rectified colour camera: a sparse depth map.

    Follows monodepth2's ``kitti_utils.generate_depth_map``: ``P_rect_0X @ R_rect_00 @
    velo_to_cam`` projects the points whose velodyne ``x >= 0`` (in front of the sensor);
    pixel coordinates are rounded and ``pixel_offset`` is subtracted; points outside the
    image are dropped; where several points fall on one pixel the nearest is kept.

    ``pixel_offset=1`` is monodepth2's (and the KITTI devkit's MATLAB-indexing) shift: the
    depth of the point that projects to pixel ``(u, v)`` is written at ``(u - 1, v - 1)``.
    It is the default so that exported ground truth equals the published ``gt_depths.npz``
    (every published KITTI Eigen number uses it); ``pixel_offset=0`` puts each point at its
    true pixel.

    Two deliberate differences from monodepth2, both only touching degenerate points: the
    nearest point per pixel is found exactly (monodepth2's ``sub2ind`` can merge the last
    column of a row with the first of the next), and points with camera depth ``<= 0`` are
    dropped before, not zeroed after, the per-pixel minimum.

    Args:
        calib_dir: Date folder with ``calib_cam_to_cam.txt`` and ``calib_velo_to_cam.txt``.
        velo_bin_path: The ``velodyne_points/data/<frame>.bin`` scan.
        side: Camera (``'l'``/``'2'`` or ``'r'``/``'3'``).
        image_size: Output ``(W, H)``; default ``S_rect_0X`` of the calibration.
        pixel_offset: Pixels subtracted from the rounded coordinates (see above).
        depth_from: ``'cam_z'`` (z in the rectified camera frame, the default) or
            ``'velo_x'`` (the point's velodyne x, monodepth2's ``vel_depth=True``, which its
            ``export_gt_depth.py`` uses for the Eigen split: ~0.27 m more than ``cam_z``).

    Returns:
        float32 ``(H, W)`` depth in metres, 0 where no point fell.
    """
    if depth_from not in ('cam_z', 'velo_x'):
        raise ValueError(f"depth_from must be 'cam_z' or 'velo_x', got {depth_from!r}")
    cam = cam_index(side)
    cam_path = osp.join(calib_dir, 'calib_cam_to_cam.txt')
    cam2cam = read_calib_file(cam_path)
    velo2cam = load_velo_to_cam(calib_dir)
    R_rect = np.eye(4)
    R_rect[:3, :3] = _get(cam2cam, 'R_rect_00', 9, cam_path).reshape(3, 3)
    P_rect = _get(cam2cam, f'P_rect_0{cam}', 12, cam_path).reshape(3, 4)
    if image_size is None:
        S = _get(cam2cam, f'S_rect_0{cam}', 2, cam_path)
        image_size = (int(round(S[0])), int(round(S[1])))
    W, H = int(image_size[0]), int(image_size[1])
    P_velo2im = P_rect @ R_rect @ velo2cam                                     # (3, 4)

    velo = load_velodyne_points(velo_bin_path).astype(np.float64)
    velo = velo[velo[:, 0] >= 0]
    hom = np.concatenate([velo[:, :3], np.ones((len(velo), 1))], axis=1)
    im = hom @ P_velo2im.T                                                     # (N, 3)
    front = im[:, 2] > 0
    im, velo = im[front], velo[front]
    u = np.round(im[:, 0] / im[:, 2]) - pixel_offset
    v = np.round(im[:, 1] / im[:, 2]) - pixel_offset
    z = velo[:, 0] if depth_from == 'velo_x' else im[:, 2]
    ok = (u >= 0) & (v >= 0) & (u < W) & (v < H)
    u, v, z = u[ok].astype(np.int64), v[ok].astype(np.int64), z[ok]
    flat = v * W + u
    order = np.lexsort((z, flat))                   # by pixel, nearest first
    flat, z = flat[order], z[order]
    first = np.ones(len(flat), dtype=bool)
    first[1:] = flat[1:] != flat[:-1]
    depth = np.zeros(H * W, dtype=np.float32)
    depth[flat[first]] = z[first]
    return depth.reshape(H, W)
