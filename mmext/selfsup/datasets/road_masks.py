"""Road and object-instance masks of KITTI frames (precomputed, one ``.npz`` per frame).

File: ``<mask_root>/<folder>/image_0X/<frame:010d>.npz`` (``folder`` as in the split file,
e.g. ``2011_09_26/2011_09_26_drive_0001_sync``; ``X`` = 2 for side ``l``, 3 for ``r``),
written with ``np.savez_compressed`` and holding, at the image's original size (H, W):

``road``
    uint8 or bool (H, W): 1 on the drivable road surface (lane markings included,
    sidewalks excluded), used to fit the ground plane / camera height.
``instances``
    integer (H, W): 0 = no object, ``k`` = pixel of instance ``k`` (1 <= k <= N).
``labels``
    unicode (N,): category name of instance ``k`` at index ``k - 1`` (e.g. ``'car'``,
    ``'pedestrian'``). Names are matched against the dataset's ``classes``; others are kept
    with label -1 (unknown).
``heights`` (optional)
    float (N,): true object heights in metres. Only the synthetic twin has them (analysis).

Real masks come from any instance-segmentation model (e.g. Mask R-CNN / SAM on the
``image_02`` frames) plus a road segmenter; :func:`save_road_instance_masks` writes them.
The synthetic twin (:mod:`mmext.synthetic.kitti_road`) writes the same format.
"""
import os
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from mmext.utils import UserInputError
from .kitti_io import cam_index

__all__ = ['mask_path', 'load_road_instance_masks', 'save_road_instance_masks',
           'replace_road_instance_masks', 'resolve_mask_job']


def mask_path(mask_root: str, folder: str, frame_index: int, side) -> str:
    """``<mask_root>/<folder>/image_0X/<frame:010d>.npz``."""
    return osp.join(mask_root, folder, f'image_0{cam_index(side)}', f'{frame_index:010d}.npz')


def load_road_instance_masks(path: str, classes: Sequence[str],
                             shape: Optional[Sequence[int]] = None) -> Dict[str, np.ndarray]:
    """Read a mask file (format: module docstring).

    Args:
        path: The ``.npz``.
        classes: Category names; ``instance_labels`` index into them.
        shape: Expected ``(H, W)`` (the image's), checked when given.

    Returns:
        ``road_mask`` bool (H, W), ``instance_map`` int64 (H, W), ``instance_labels`` int64
        (N,) (index into ``classes``, -1 = a name not in ``classes``) and, when the file
        has them, ``instance_heights`` float32 (N,).

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: Naming the file when a key is missing or shapes / ids disagree.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'mask file not found: {path!r}')
    with np.load(path, allow_pickle=False) as f:
        missing = [k for k in ('road', 'instances', 'labels') if k not in f.files]
        if missing:
            raise ValueError(f'{path}: missing key(s) {missing} (found {f.files}); expected '
                             f'road (H, W), instances (H, W), labels (N,)')
        road, inst, labels = f['road'], f['instances'], f['labels']
        heights = f['heights'] if 'heights' in f.files else None
    if road.ndim != 2 or road.shape != inst.shape:
        raise ValueError(f'{path}: road {road.shape} and instances {inst.shape} must be the '
                         f'same (H, W)')
    if shape is not None and tuple(road.shape) != tuple(shape):
        raise ValueError(f'{path}: masks are {road.shape}, the image is {tuple(shape)}')
    labels = np.asarray(labels).reshape(-1)
    if inst.size and (inst.min() < 0 or inst.max() > len(labels)):
        raise ValueError(f'{path}: instance ids must be in [0, {len(labels)}] (len(labels)), '
                         f'got [{inst.min()}, {inst.max()}]')
    index = {c: i for i, c in enumerate(classes)}
    out = dict(road_mask=road.astype(bool), instance_map=inst.astype(np.int64),
               instance_labels=np.array([index.get(str(n), -1) for n in labels],
                                        dtype=np.int64))
    if heights is not None:
        if len(heights) != len(labels):
            raise ValueError(f'{path}: heights has {len(heights)} entries, labels {len(labels)}')
        out['instance_heights'] = np.asarray(heights, dtype=np.float32)
    return out


def save_road_instance_masks(path: str, road: np.ndarray, instances: np.ndarray,
                             labels: Sequence[str],
                             heights: Optional[Sequence[float]] = None) -> None:
    """Write a mask file (format: module docstring); folders are created."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    extra = {} if heights is None else dict(heights=np.asarray(heights, dtype=np.float32))
    np.savez_compressed(path, road=np.asarray(road).astype(np.uint8),
                        instances=np.asarray(instances).astype(np.int32),
                        labels=np.asarray(list(labels), dtype=str), **extra)


def replace_road_instance_masks(path: str, road: np.ndarray, instances: np.ndarray,
                                labels: Sequence[str],
                                heights: Optional[Sequence[float]] = None) -> None:
    """:func:`save_road_instance_masks` into ``<path>.tmp.npz``, then moved onto ``path`` in
    one step, so that an interrupted run never leaves a half-written mask file."""
    tmp = path[:-4] + '.tmp.npz'
    save_road_instance_masks(tmp, road, instances, labels, heights)
    os.replace(tmp, path)


def resolve_mask_job(data_root: str, split_file: str, mask_root: str) -> Tuple[str, str]:
    """The split file and mask root of a mask-writing tool: the split file as given, else
    under ``data_root``; ``mask_root`` relative to ``data_root`` unless absolute.

    Raises:
        UserInputError: If the split file is found in neither place.
    """
    split = split_file
    if not osp.isfile(split) and osp.isfile(osp.join(data_root, split)):
        split = osp.join(data_root, split)
    if not osp.isfile(split):
        raise UserInputError(f'split file not found: {split_file!r}')
    return split, mask_root if osp.isabs(mask_root) else osp.join(data_root, mask_root)
