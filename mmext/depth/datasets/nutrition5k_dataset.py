"""Nutrition5kDataset: overhead RGB-D dishes of Nutrition5k with food masks and volume labels."""
import hashlib
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
import torch
from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from mmext.geometry import compute_volume
from mmext.registry import DATASETS
from mmext.utils.data_errors import record_skipped, sample_errors
from .food_masks import MASK_METHODS, derive_food_mask
from .nutrition5k_camera import NUTRITION5K_K_PAPER
from .nutrition5k_io import (DEPTH_UNIT_M, check_depth_units, read_depth_raw, read_dish_metadata,
                             read_split_ids)

IMG_DIR = osp.join('imagery', 'realsense_overhead')


@DATASETS.register_module()
class Nutrition5kDataset(BaseDataset):
    """Nutrition5k overhead RGB-D (``imagery/realsense_overhead/dish_<ts>/``).

    Dishes without ``depth_raw.png`` and dishes failing the unit check (median depth not a
    plausible table distance at 1e-4 m/unit) are skipped and counted (``self.skipped``).
    Food masks come from ``mask_dir/<dish_id>.png`` when given (e.g. SAM 2 masks written by
    ``tools/dataset_converters/nutrition5k_sam2_masks.py``), else they are derived from the
    ground-truth depth (:func:`~mmext.depth.datasets.food_masks.derive_food_mask`, method
    ``mask_method``). Volume labels (m^3) are
    :func:`compute_volume` of the ground-truth depth with ``K`` and the mask, cached as JSON in
    ``cache_dir`` (keyed by K, footprint and mask source).

    Args:
        data_root: Nutrition5k root.
        split_file: Split file relative to ``data_root`` (``dish_ids/splits/depth_train_ids.txt``
            or one written by ``tools/dataset_converters/nutrition5k_session_split.py``).
        K: ``[fx, fy, cx, cy]`` of the 640x480 depth/RGB frames (a config choice: intrinsics
            were never released). Default: the Nutrition5k paper's geometry, f = 465.1 px
            (:mod:`mmext.depth.datasets.nutrition5k_camera`; the D435 value 616 px is the
            alternative, see docs/food.md).
        mask_dir: Folder of food masks relative to ``data_root`` (``None``: derive from depth).
        metadata_files: Header-less dish metadata CSVs relative to ``data_root`` (optional).
        cache_dir: Where derived masks and volume labels are cached (default
            ``data_root/.mmext_cache``).
        depth_unit: Metres per depth_raw unit.
        footprint: Footprint of the volume labels.
        plane_method: Table-plane fit of the volume labels (``'ransac'``: robust to a ring
            that reaches past the plate onto the table).
        ring_inner: Gap between mask and plane-fit ring (pixels).
        ring_width: Width of the plane-fit ring (pixels).
        mask_method: How food masks are derived from depth when ``mask_dir`` is None:
            ``'plate'`` (default: height above the plate the food stands on) or ``'table'``
            (mmext's first form: height above the table plane, which takes plates as food;
            docs/food.md "Food masks" has the bias of each on the synthetic twin).
        mask_height_thr: Food threshold (m) of derived masks (None: the method's default,
            3 mm above the plate / 6 mm above the table).
        mask_grow_thr: Hysteresis height (m) of derived masks (None: the method's default,
            1.5 mm for ``'plate'``, off for ``'table'``; 0: off); see
            :func:`derive_food_mask`.
        pipeline: Transforms.
        test_mode: mmengine test mode.
        max_dishes: Keep only the first N dishes (debugging).
    """
    METAINFO = dict(dataset='Nutrition5k')

    def __init__(self, data_root: str, split_file: str,
                 K: Sequence[float] = NUTRITION5K_K_PAPER,
                 mask_dir: Optional[str] = None, metadata_files: Sequence[str] = (),
                 cache_dir: Optional[str] = None, depth_unit: float = DEPTH_UNIT_M,
                 footprint: str = 'surface', mask_method: str = 'plate',
                 mask_height_thr: Optional[float] = None,
                 mask_grow_thr: Optional[float] = None,
                 plane_method: str = 'ransac', ring_inner: int = 5, ring_width: int = 20,
                 pipeline: Sequence = (), test_mode: bool = False,
                 max_dishes: Optional[int] = None, **kwargs) -> None:
        if len(K) != 4:
            raise ValueError(f'K must be [fx, fy, cx, cy], got {K}')
        fx, fy, cx, cy = map(float, K)
        self.K = np.array([[fx, 0, cx], [0, fy, cy], [0, 0, 1]], np.float64)
        self.split_file, self.mask_dir = split_file, mask_dir
        self.metadata_files, self.depth_unit = list(metadata_files), depth_unit
        if mask_method not in MASK_METHODS:
            raise ValueError(f'Nutrition5kDataset: mask_method must be one of {MASK_METHODS}, '
                             f'got {mask_method!r}')
        self.mask_method = mask_method
        self.footprint, self.mask_height_thr = footprint, mask_height_thr
        self.mask_grow_thr = mask_grow_thr
        self.max_dishes = max_dishes
        self.plane_kw = dict(plane_method=plane_method, ring_inner=ring_inner,
                             ring_width=ring_width)
        self.cache_dir = cache_dir or osp.join(data_root, '.mmext_cache')
        self.skipped: Dict[str, List[str]] = {'no_depth': [], 'units': [], 'no_rgb': []}
        super().__init__(data_root=data_root, pipeline=list(pipeline), test_mode=test_mode,
                         **kwargs)

    def _cache_key(self) -> str:
        src = self.mask_dir or [f'derived_{self.mask_method}', self.mask_height_thr,
                                self.mask_grow_thr]
        return hashlib.md5(json.dumps([self.K.tolist(), self.footprint, src, self.depth_unit,
                                       self.plane_kw]).encode()).hexdigest()[:10]

    def prepare_data(self, idx: int):
        """Load sample ``idx``; a bad file is named with the sample (mmext.utils.data_errors)."""
        with sample_errors(self, idx):
            return super().prepare_data(idx)

    def load_data_list(self) -> List[dict]:
        root = self.data_root
        ids = read_split_ids(osp.join(root, self.split_file))
        if self.max_dishes:
            ids = ids[:self.max_dishes]
        meta = read_dish_metadata([osp.join(root, p) for p in self.metadata_files])
        os.makedirs(self.cache_dir, exist_ok=True)
        key = self._cache_key()
        cache_path = osp.join(self.cache_dir, f'volumes_{key}.json')
        cache = json.load(open(cache_path)) if osp.exists(cache_path) else {}
        data_list, dirty = [], False
        for dish in ids:
            ddir = osp.join(root, IMG_DIR, dish)
            rgb, dep = osp.join(ddir, 'rgb.png'), osp.join(ddir, 'depth_raw.png')
            if not osp.isfile(rgb):
                self.skipped['no_rgb'].append(dish)
                continue
            if not osp.isfile(dep):
                self.skipped['no_depth'].append(dish)
                continue
            if dish not in cache:
                entry = self._label(dish, dep, key)
                cache[dish] = entry
                dirty = True
            entry = cache[dish]
            if entry.get('unit_error'):
                self.skipped['units'].append(dish)
                continue
            data_list.append(dict(img_path=rgb, depth_path=dep, mask_path=entry['mask_path'],
                                  dish_id=dish, K=self.K.copy(), gt_volume=entry['volume_m3'],
                                  depth_unit=self.depth_unit, metadata=meta.get(dish, {})))
        if dirty:
            with open(cache_path, 'w') as f:
                json.dump(cache, f)
        n_skip = {k: len(v) for k, v in self.skipped.items() if v}
        if n_skip:
            print_log(f'Nutrition5kDataset {self.split_file}: kept {len(data_list)} of {len(ids)} '
                      f'dishes, skipped {n_skip} (see .skipped)', logger='current')
        for reason, dishes in self.skipped.items():  # by name, in the log and skipped.json
            record_skipped(self, reason, dishes, split=self.split_file)
        return data_list

    def _label(self, dish: str, depth_path: str, key: str) -> Dict:
        depth = read_depth_raw(depth_path, self.depth_unit)
        msg = check_depth_units(depth, depth_path)
        if msg:
            print_log(msg, logger='current', level=30)
            return {'unit_error': msg}
        if self.mask_dir is not None:
            mask_path = osp.join(self.data_root, self.mask_dir, f'{dish}.png')
            m = cv2.imread(mask_path, cv2.IMREAD_GRAYSCALE)
            if m is None:
                raise FileNotFoundError(f'{mask_path}: food mask missing '
                                        f'(mask_dir={self.mask_dir})')
            mask = m > 127
        else:
            mask = derive_food_mask(depth, self.K, self.mask_height_thr,
                                    grow_thr=self.mask_grow_thr, method=self.mask_method)
            mask_path = osp.join(self.cache_dir, f'mask_{key}_{dish}.png')
            cv2.imwrite(mask_path, mask.astype(np.uint8) * 255)
        if mask.shape != depth.shape:
            raise ValueError(f'{mask_path}: mask {mask.shape} and depth {depth.shape} differ')
        vol = compute_volume(torch.from_numpy(depth.astype(np.float64))[None],
                             torch.from_numpy(self.K), torch.from_numpy(mask)[None],
                             footprint=self.footprint, **self.plane_kw,
                             generator=torch.Generator().manual_seed(0)).item()
        return {'mask_path': mask_path, 'volume_m3': vol}
