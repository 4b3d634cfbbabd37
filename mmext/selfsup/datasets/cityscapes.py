"""Cityscapes sequences (FUMET's second data set) in the official layout, for the same
frame-tuple pipeline as :class:`~mmext.selfsup.datasets.KITTIRawDataset`."""
import glob
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.dataset import BaseDataset

from mmext.registry import DATASETS, TRANSFORMS

__all__ = ['CityscapesSequenceDataset', 'read_cityscapes_camera']


def read_cityscapes_camera(path: str) -> Tuple[np.ndarray, float]:
    """``(K (3, 3), mounting height z)`` of a Cityscapes ``*_camera.json``.

    Raises:
        ValueError: naming the file when ``intrinsic.fx/fy/u0/v0`` is missing.
    """
    with open(path) as f:
        cam = json.load(f)
    try:
        i = cam['intrinsic']
        K = np.array([[i['fx'], 0., i['u0']], [0., i['fy'], i['v0']], [0., 0., 1.]],
                     dtype=np.float64)
    except (KeyError, TypeError) as err:
        raise ValueError(f'{path}: expected intrinsic.fx/fy/u0/v0 (Cityscapes camera json), '
                         f'missing {err}') from None
    return K, float(cam.get('extrinsic', {}).get('z', np.nan))


@DATASETS.register_module()
class CityscapesSequenceDataset(BaseDataset):
    """Target frames of Cityscapes' ``leftImg8bit_sequence`` with their neighbours.

    Layout under ``data_root`` (as downloaded: ``leftImg8bit_sequence_trainvaltest.zip``,
    ``camera_trainvaltest.zip``)::

        leftImg8bit_sequence/<split>/<city>/<city>_<seq>_<frame>_leftImg8bit.png
        camera/<split>/<city>/<city>_<seq>_<frame>_camera.json   (any frame of the sequence)
        <mask_root>/<split>/<city>/<city>_<seq>_<frame>.npz      (road / instance masks,
                                                                 :mod:`.road_masks` format)

    ``ann_file`` lists one target per line as ``<split>/<city>/<city>_<seq>_<frame>``;
    ``frame_ids`` offsets the frame number (the sequence's files must exist). ``K`` comes
    from the sequence's camera json (intrinsics of ``camera_image_size`` images) scaled to
    ``image_size``; ``camera_height`` (the json's ``extrinsic.z``) is stored per sample for
    reference only. Samples carry the keys of :class:`KITTIRawDataset` (``img_paths``,
    ``K``, ``ori_shape``, ``mask_path``, ``split_line`` ...), so the same transforms apply;
    crop the ego car's bonnet with ``CropFrames`` (ManyDepth/FUMET: the bottom 25%).

    Args:
        data_root: Cityscapes root.
        ann_file: Split file relative to ``data_root``.
        frame_ids: Temporal offsets, target ``0`` first.
        mask_root: Mask folder (relative to ``data_root`` unless absolute) or None.
        image_size: ``(W, H)`` of the sequence images (Cityscapes: 2048 x 1024).
        camera_image_size: ``(W, H)`` the json intrinsics refer to (2048 x 1024).
        check_files: Check every image / mask / camera file when loading.
        generate_if_missing: Synthetic twin only: arguments of
            :func:`~mmext.synthetic.cityscapes_road.write_synthetic_cityscapes`, written
            when ``ann_file`` is absent.
    """

    METAINFO = dict(dataset='Cityscapes', classes=('car', 'pedestrian', 'cyclist'))

    def __init__(self, data_root: str, ann_file: str, frame_ids: Sequence[int] = (0, -1, 1),
                 mask_root: Optional[str] = None, image_size: Sequence[int] = (2048, 1024),
                 camera_image_size: Sequence[int] = (2048, 1024), check_files: bool = True,
                 generate_if_missing: Optional[dict] = None, **kwargs) -> None:
        frame_ids = [int(i) for i in frame_ids]
        if not frame_ids or frame_ids[0] != 0 or len(set(frame_ids)) != len(frame_ids):
            raise ValueError(f'frame_ids must be distinct and start with 0, got {frame_ids}')
        self.frame_ids, self.mask_root = frame_ids, mask_root
        self.image_size = (int(image_size[0]), int(image_size[1]))
        self.camera_image_size = (int(camera_image_size[0]), int(camera_image_size[1]))
        self.check_files, self.generate_if_missing = check_files, generate_if_missing
        kwargs['pipeline'] = [TRANSFORMS.build(t) if isinstance(t, dict) else t
                              for t in kwargs.get('pipeline', [])]
        super().__init__(data_root=data_root, ann_file=ann_file, **kwargs)

    def _camera(self, cache: Dict, split: str, city: str, seq: str, where: str):
        key = (split, city, seq)
        if key not in cache:
            pattern = osp.join(self.data_root, 'camera', split, city, f'{city}_{seq}_*_camera.json')
            files = sorted(glob.glob(pattern))
            if not files:
                raise FileNotFoundError(f'no camera json {pattern!r} (needed by {where}; '
                                        'camera_trainvaltest.zip)')
            K, z = read_cityscapes_camera(files[0])
            sx = self.image_size[0] / self.camera_image_size[0]
            sy = self.image_size[1] / self.camera_image_size[1]
            K = K.copy()
            K[0] *= sx
            K[1] *= sy
            # pixel centres at integers: (u + 0.5) s - 0.5
            K[0, 2] += 0.5 * sx - 0.5
            K[1, 2] += 0.5 * sy - 0.5
            cache[key] = (K, z)
        return cache[key]

    def load_data_list(self) -> List[dict]:
        if self.generate_if_missing is not None:
            from mmext.synthetic.cityscapes_road import (is_generated,
                                                         write_synthetic_cityscapes)
            from mmext.synthetic.stamp import needs_generation
            params = dict(self.generate_if_missing)
            if needs_generation(self.data_root, self.ann_file, is_generated, params):
                write_synthetic_cityscapes(self.data_root, **params)
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'split file not found: {self.ann_file!r}')
        classes = tuple(self.metainfo.get('classes', ()))
        cache: Dict = {}
        out = []
        with open(self.ann_file) as f:
            lines = [ln.strip() for ln in f if ln.strip()]
        for n, line in enumerate(lines, 1):
            where = f'{self.ann_file}:{n}'
            parts = line.split('/')
            if len(parts) != 3 or len(parts[2].split('_')) < 3:
                raise ValueError(f'{where}: expected <split>/<city>/<city>_<seq>_<frame>, got '
                                 f'{line!r}')
            split, city, stem = parts
            *name, seq, frame = stem.split('_')
            frame_i = int(frame)
            K, z = self._camera(cache, split, city, seq, where)
            img_dir = osp.join(self.data_root, 'leftImg8bit_sequence', split, city)
            paths = [osp.join(img_dir, f'{"_".join(name)}_{seq}_{frame_i + i:06d}'
                                       f'_leftImg8bit.png') for i in self.frame_ids]
            info = dict(img_path=paths[0], img_paths=paths, frame_ids=list(self.frame_ids),
                        folder=f'{split}/{city}', frame_index=frame_i, side='l', cam=2,
                        K=K.copy(), ori_shape=(self.image_size[1], self.image_size[0]),
                        split_line=where, classes=classes, camera_height=z,
                        mask_path=None, gt_depth_path=None, gt_index=None)
            if self.mask_root is not None:
                root = self.mask_root if osp.isabs(self.mask_root) else osp.join(
                    self.data_root, self.mask_root)
                info['mask_path'] = osp.join(root, split, city, stem + '.npz')
            if self.check_files:
                for fid, p in zip(self.frame_ids, paths):
                    if not osp.isfile(p):
                        raise FileNotFoundError(f'frame {fid:+d} not found: {p!r} (needed by '
                                                f'{where})')
                if info['mask_path'] and not osp.isfile(info['mask_path']):
                    raise FileNotFoundError(f"mask file not found: {info['mask_path']!r} "
                                            f'(needed by {where})')
            out.append(info)
        return out
