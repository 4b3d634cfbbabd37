"""KITTIRawDataset: monodepth2-style frame tuples of the KITTI raw layout (see
:mod:`.kitti_io`), with optional road / instance masks (:mod:`.road_masks`) and GT depth."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.dataset import BaseDataset

from mmext.registry import DATASETS, TRANSFORMS
from mmext.utils.data_errors import sample_errors
from .kitti_gt import load_gt_depths
from .kitti_io import (calib_dir_of, cam_index, image_path, load_kitti_intrinsics,
                       read_split_file, velodyne_path)
from .road_masks import mask_path

DEFAULT_GT_PNG_TEMPLATE = '{folder}/proj_depth/groundtruth/image_0{cam}/{frame:010d}.png'


@DATASETS.register_module()
class KITTIRawDataset(BaseDataset):
    """Target frames of a monodepth2 split file with their temporal neighbours.

    Each line ``folder frame side`` of ``ann_file`` gives one sample: the images of frames
    ``frame + i`` for ``i`` in ``frame_ids`` (target ``0`` first), the rectified intrinsics
    ``K`` of that camera from ``<date>/calib_cam_to_cam.txt`` (at the original image size),
    and optionally masks and ground-truth depth. Every file a sample needs is checked when
    the dataset loads; a missing one is reported with the split-file line that needs it.

    ``classes`` (metainfo) are the object categories the masks' ``labels`` are matched
    against (``instance_labels`` index into them; they carry the object-height priors):

    - ``car``: cars, vans and small trucks (KITTI ``Car``/``Van``; ~1.5 m tall),
    - ``pedestrian``: a standing or walking person (~1.7 m),
    - ``cyclist``: a person riding a bicycle, rider and bicycle together (~1.7 m).

    Config keys:
        data_root: KITTI raw root (date folders; the synthetic twin's root).
        ann_file: Split file, relative to ``data_root`` (``splits/eigen_zhou/train_files.txt``).
        frame_ids: Temporal offsets loaded per sample; the first must be 0 (the target).
        img_ext: Image extension (``'.png'``; ``'.jpg'`` for monodepth2's jpeg conversion).
        mask_root: Folder of mask ``.npz`` files (relative to ``data_root`` unless absolute);
            None = no masks.
        gt_depth: None; ``'npz'`` (``gt_depths.npz`` next to ``ann_file``) or a path to a
            ``.npz`` (relative to ``data_root`` unless absolute), aligned with the split's
            lines (monodepth2's format, :mod:`.kitti_gt`); or ``'png'`` (KITTI depth
            benchmark maps, uint16 / 256, located by ``gt_png_template``); or
            ``'velodyne'``: each frame's scan projected on the fly with ``gt_velodyne``
            (no export needed; for validation on held-out training frames).
        gt_velodyne: ``gt_depth='velodyne'``: keyword arguments of
            :func:`~mmext.selfsup.datasets.kitti_io.velodyne_to_depth` (default
            monodepth2's export of the Eigen test GT: ``pixel_offset=1``,
            ``depth_from='velo_x'``, so validation and test measure alike).
        gt_png_template: Path of a GT png relative to ``data_root``; fields ``folder``,
            ``date``, ``drive``, ``cam``, ``frame``. Default: inside the drive folder.
        check_files: Check that every image / mask / GT file exists when loading.
        generate_if_missing: Synthetic data only: if ``ann_file`` is absent, first write the
            twin under ``data_root`` with :func:`mmext.synthetic.kitti_road.write_synthetic_kitti`
            and these arguments (e.g. ``dict(num_drives=3, seed=0)``). Never for real KITTI.
        pipeline: Transforms (``LoadKITTIFrames``, ..., ``PackSelfSupInputs``).
        **kwargs: Other :class:`mmengine.dataset.BaseDataset` arguments.
    """

    METAINFO = dict(dataset='KITTI raw', classes=('car', 'pedestrian', 'cyclist'))
    DATA_HINT = ('KITTI raw: download the raw data '
                 '(https://www.cvlibs.net/datasets/kitti/raw_data.php, monodepth2 README '
                 '"KITTI training data") and monodepth2\'s splits/ folder; '
                 'export GT with tools/dataset_converters/kitti_export_gt_depth.py. Synthetic '
                 'KITTI-like drives: set generate_if_missing=dict(...) on the dataset or call '
                 'mmext.synthetic.kitti_road.write_synthetic_kitti(<root>).')

    def __init__(self, data_root: str, ann_file: str, frame_ids: Sequence[int] = (0, -1, 1),
                 img_ext: str = '.png', mask_root: Optional[str] = None,
                 gt_depth: Optional[str] = None,
                 gt_png_template: str = DEFAULT_GT_PNG_TEMPLATE,
                 gt_velodyne: Optional[dict] = None, check_files: bool = True,
                 generate_if_missing: Optional[dict] = None, **kwargs) -> None:
        frame_ids = list(frame_ids)
        if not frame_ids or frame_ids[0] != 0 or \
                not all(isinstance(i, (int, np.integer)) for i in frame_ids) or \
                len(set(frame_ids)) != len(frame_ids):
            raise ValueError(f'frame_ids must be distinct integers starting with the target 0, '
                             f'e.g. (0, -1, 1); got {tuple(frame_ids)} (stereo "s" is not '
                             f'supported)')
        self.frame_ids = [int(i) for i in frame_ids]
        self.img_ext = img_ext
        self.mask_root = mask_root
        if gt_depth is not None and gt_depth not in ('npz', 'png', 'velodyne') and \
                not str(gt_depth).endswith('.npz'):
            raise ValueError(f"gt_depth must be None, 'npz', 'png', 'velodyne' or a path to a "
                             f'.npz file, got {gt_depth!r}')
        self.gt_depth = gt_depth
        self.gt_velodyne = {**dict(pixel_offset=1, depth_from='velo_x'), **(gt_velodyne or {})}
        self.gt_png_template = gt_png_template
        self.check_files = check_files
        self.generate_if_missing = generate_if_missing
        kwargs['pipeline'] = [TRANSFORMS.build(t) if isinstance(t, dict) else t
                              for t in kwargs.get('pipeline', [])]
        super().__init__(data_root=data_root, ann_file=ann_file, **kwargs)

    # ------------------------------------------------------------------ helpers
    def _resolve(self, path: str) -> str:
        return path if osp.isabs(path) or not self.data_root else osp.join(self.data_root, path)

    def _gt_npz_path(self) -> str:
        if self.gt_depth == 'npz':
            return osp.join(osp.dirname(self.ann_file), 'gt_depths.npz')
        return self._resolve(self.gt_depth)

    def _calib(self, cache: Dict, folder: str, side: str,
               where: str) -> Tuple[np.ndarray, Tuple[int, int]]:
        key = (folder.split('/')[0], cam_index(side))
        if key not in cache:
            calib_dir = calib_dir_of(self.data_root, folder)
            try:
                K, (W, H) = load_kitti_intrinsics(calib_dir, side)
            except (FileNotFoundError, ValueError) as err:
                raise type(err)(f'{err} (needed by {where})') from None
            cache[key] = (K, (H, W))
        return cache[key]

    def _generate(self) -> None:
        from mmext.synthetic.kitti_road import is_generated, write_synthetic_kitti
        from mmext.synthetic.stamp import needs_generation
        params = dict(self.generate_if_missing)
        if needs_generation(self.data_root, self.ann_file, is_generated, params):
            write_synthetic_kitti(self.data_root, **params)

    # ------------------------------------------------------------------ loading
    def prepare_data(self, idx: int):
        """Load sample ``idx``; a bad file is named with the sample (mmext.utils.data_errors)."""
        with sample_errors(self, idx):
            return super().prepare_data(idx)

    def load_data_list(self) -> List[dict]:
        """One entry per split line (see the class docstring for the keys)."""
        if self.generate_if_missing is not None:
            self._generate()
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'split file not found: {self.ann_file!r}. {self.DATA_HINT}')
        lines = read_split_file(self.ann_file)
        classes = tuple(self.metainfo.get('classes', ()))
        gt_npz = None
        if self.gt_depth not in (None, 'png', 'velodyne'):
            gt_npz = self._gt_npz_path()
            n_gt = len(load_gt_depths(gt_npz))
            if n_gt != len(lines):
                raise ValueError(f'{gt_npz} holds {n_gt} depth maps but {self.ann_file} has '
                                 f'{len(lines)} lines; they must be aligned line by line')
        mask_root = None if self.mask_root is None else self._resolve(self.mask_root)
        calib_cache: Dict = {}
        data_list = []
        for idx, line in enumerate(lines):
            folder, frame, side, where = line
            K, ori_shape = self._calib(calib_cache, folder, side, where)
            paths = [image_path(self.data_root, folder, frame + i, side, self.img_ext)
                     for i in self.frame_ids]
            info = dict(img_path=paths[0], img_paths=paths, frame_ids=list(self.frame_ids),
                        folder=folder, frame_index=frame, side=side, cam=cam_index(side),
                        K=K.copy(), ori_shape=ori_shape, split_line=where, classes=classes,
                        mask_path=None, gt_depth_path=None, gt_index=None)
            if mask_root is not None:
                info['mask_path'] = mask_path(mask_root, folder, frame, side)
            if self.gt_depth == 'png':
                date, _, drive = folder.partition('/')
                info['gt_depth_path'] = self._resolve(self.gt_png_template.format(
                    folder=folder, date=date, drive=drive or folder, cam=cam_index(side),
                    frame=frame))
            elif self.gt_depth == 'velodyne':
                info['gt_depth_path'] = velodyne_path(self.data_root, folder, frame)
                info['gt_velodyne'] = dict(self.gt_velodyne,
                                           calib_dir=calib_dir_of(self.data_root, folder))
            elif gt_npz is not None:
                info['gt_depth_path'], info['gt_index'] = gt_npz, idx
            if self.check_files:
                self._check(info)
            data_list.append(info)
        return data_list

    def _check(self, info: dict) -> None:
        where = info['split_line']
        for fid, path in zip(info['frame_ids'], info['img_paths']):
            if not osp.isfile(path):
                what = 'target image' if fid == 0 else f'neighbour frame {fid:+d}'
                raise FileNotFoundError(f'{what} not found: {path!r} (needed by {where}; '
                                        f'frames {info["frame_ids"]} around frame '
                                        f'{info["frame_index"]})')
        for key, what in (('mask_path', 'mask file'), ('gt_depth_path', 'GT depth')):
            if info[key] is not None and not osp.isfile(info[key]):
                raise FileNotFoundError(f'{what} not found: {info[key]!r} (needed by {where})')
