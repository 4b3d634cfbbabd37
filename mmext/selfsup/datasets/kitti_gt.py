"""Ground-truth depth of a KITTI split: velodyne scans projected into the camera, exported
as monodepth2's ``gt_depths.npz`` and loaded back (cached per process).

``gt_depths.npz`` holds one key, ``data``: a 1-D *object* array whose i-th element is the
float32 (H, W) sparse depth map (metres, 0 = no lidar point) of the i-th line of the
split file. Object arrays are pickled; numpy reads them only with ``allow_pickle=True``,
which would run code from a crafted file. :func:`load_gt_depths` instead reads the pickle
with a restricted unpickler that can only rebuild numpy arrays
(:func:`mmext.utils.safe_load.load_npz_array`) and refuses anything else::

    maps = load_gt_depths('splits/eigen/gt_depths.npz')
    depth_of_line_i = maps[i]

mmext's exports also store what the depth is: ``depth_from`` (``'velo_x'`` or ``'cam_z'``)
and ``pixel_offset`` (:func:`gt_depth_kind`); monodepth2's own files have neither (they
hold velodyne-x depth at offset 1).
"""
import os
import os.path as osp
from functools import lru_cache
from typing import Dict, List, Optional

import numpy as np

from mmext.utils.safe_load import load_npz_array

from .kitti_io import calib_dir_of, read_split_file, velodyne_path, velodyne_to_depth

__all__ = ['export_gt_depths', 'load_gt_depths', 'gt_depth_kind']


def export_gt_depths(data_root: str, split_file: str, out_path: str, pixel_offset: int = 1,
                     depth_from: str = 'velo_x', show_progress: bool = True) -> str:
    """Project the velodyne scan of every split line and save ``gt_depths.npz``.

    The defaults reproduce monodepth2's ``export_gt_depth.py --split eigen`` (the file every
    published KITTI Eigen number is computed against): ``pixel_offset=1`` and
    ``depth_from='velo_x'`` (monodepth2's ``vel_depth=True``: the point's velodyne x, about
    0.27 m more than its camera z). For exact camera-z depth at the true pixels pass
    ``pixel_offset=0, depth_from='cam_z'``. Unlike monodepth2 (always camera 2), a line with
    side ``r`` is projected into camera 3; the Eigen test split only has ``l`` lines.

    Args:
        data_root: KITTI raw root (date folders).
        split_file: monodepth2 split file (``folder frame side`` lines).
        out_path: Output ``.npz`` (folders are created).
        pixel_offset: See :func:`~mmext.selfsup.datasets.kitti_io.velodyne_to_depth`.
        depth_from: ``'velo_x'`` or ``'cam_z'`` (same).
        show_progress: Show a tqdm progress bar on stderr.

    Returns:
        ``out_path``.

    Raises:
        FileNotFoundError: Naming the scan / calibration file and the split line.
        ValueError: For a malformed split line, scan or calibration file.
    """
    from tqdm import tqdm

    lines = read_split_file(split_file)
    maps: List[np.ndarray] = []
    for line in tqdm(lines, desc='gt depth', unit='frame', disable=not show_progress):
        try:
            maps.append(velodyne_to_depth(
                calib_dir_of(data_root, line.folder),
                velodyne_path(data_root, line.folder, line.frame_index), line.side,
                pixel_offset=pixel_offset, depth_from=depth_from))
        except FileNotFoundError as err:
            raise FileNotFoundError(f'{err} (needed by {line.where})') from None
        except ValueError as err:
            raise ValueError(f'{err} (needed by {line.where})') from None
    data = np.empty(len(maps), dtype=object)          # 1-D object array, as monodepth2's
    data[:] = maps
    os.makedirs(osp.dirname(osp.abspath(out_path)), exist_ok=True)
    np.savez_compressed(out_path, data=data, depth_from=np.array(depth_from),
                        pixel_offset=np.array(pixel_offset))
    return out_path


def gt_depth_kind(path: str) -> Optional[Dict[str, object]]:
    """``{'depth_from', 'pixel_offset'}`` recorded in a ``gt_depths.npz`` by mmext's export
    (or the synthetic twin), ``None`` for a file without them (e.g. monodepth2's: velodyne x
    at offset 1)."""
    with np.load(path, allow_pickle=False) as f:
        if 'depth_from' not in f.files:
            return None
        return dict(depth_from=str(f['depth_from']),
                    pixel_offset=int(f['pixel_offset']) if 'pixel_offset' in f.files else None)


@lru_cache(maxsize=2)
def load_gt_depths(path: str) -> np.ndarray:
    """Load (and cache, per process) the ``data`` object array of a ``gt_depths.npz``.

    The file is read without ``allow_pickle``: the object array's pickle may only refer to
    numpy's array reconstruction (monodepth2's layout); a plain (N, H, W) float array (what
    ``np.array`` gives when every map has one size) is accepted too.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If it has no ``data`` array, is corrupt, or its pickle asks for anything
            but numpy arrays (:class:`~mmext.utils.safe_load.UnsafeDataFileError`).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'ground-truth depth file not found: {path!r} (write it with '
            f'tools/dataset_converters/kitti_export_gt_depth.py)')
    try:
        return load_npz_array(path, 'data')
    except KeyError as err:
        raise ValueError(f'{err.args[0]} (monodepth2 gt_depths.npz)') from None
