"""Non-food depth benchmarks for cross-domain checks of a food fine-tune (log 000's conclusion):
NYU Depth V2 (Eigen 654 test images) and KITTI Eigen (652 test images with annotated depth).

On-disk layouts (the common ones):

* NYU Depth V2, as BTS / AdaBins / ZoeDepth lay it out:
  ``<root>/official_splits/test/<scene>/rgb_<n>.jpg`` and ``sync_depth_<n>.png`` (uint16,
  millimetres); optional split file of lines ``<scene>/rgb_<n>.jpg <scene>/sync_depth_<n>.png
  [focal]`` relative to ``official_splits/test/`` (BTS ``nyudepthv2_test_files_with_gt.txt``).
  Without a split file every ``rgb_*.jpg`` under ``official_splits/test`` is used (654).
* KITTI Eigen, as DAV2's ``metric_depth/dataset/splits/kitti/val.txt`` lists it:
  ``<root>/raw_data/<date>/<drive>/image_02/data/<frame>.png`` and
  ``<root>/data_depth_annotated/{train,val}/<drive>/proj_depth/groundtruth/image_02/<frame>.png``
  (uint16, depth x 256, 0 = no lidar point). The split file holds two paths per line, absolute
  (DAV2's file, re-rooted at ``raw_data/`` / ``data_depth_annotated/``) or relative (BTS
  ``eigen_test_files_with_gt.txt``: ``<date>/<drive>/image_02/data/<frame>.png
  <drive>/proj_depth/groundtruth/image_02/<frame>.png [focal]``).
"""
import glob
import os.path as osp
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
from mmengine.dataset import BaseDataset

from mmext.registry import DATASETS, TRANSFORMS

__all__ = ['NYUDepthV2Dataset', 'KITTIEigenDepthDataset', 'LoadImageDepth', 'NYU_K']

#: NYU Depth V2 colour camera (NYU toolbox / BTS), 640x480: fx, fy, cx, cy.
NYU_K = (518.8579, 519.4696, 325.5824, 253.7362)


def _K(K: Optional[Sequence[float]]) -> Optional[np.ndarray]:
    if K is None:
        return None
    fx, fy, cx, cy = map(float, K)
    return np.array([[fx, 0, cx], [0, fy, cy], [0, 0, 1]], np.float64)


def _read_pairs(path: str) -> List[List[str]]:
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: split file not found')
    pairs = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 2:
                raise ValueError(f'{path}:{n}: expected "<image> <depth> [focal]", got {line!r}')
            pairs.append(parts[:2])
    return pairs


@DATASETS.register_module()
class NYUDepthV2Dataset(BaseDataset):
    """NYU Depth V2 Eigen test split (654 images) in the BTS layout (see the module doc).

    Args:
        data_root: Folder holding ``official_splits/test``.
        split_file: Optional BTS-style list relative to ``data_root``.
        depth_scale: Metres per depth-PNG unit (1e-3: millimetres).
        K: ``[fx, fy, cx, cy]`` at 640x480 (:data:`NYU_K`).
        pipeline: Transforms.
        test_mode: mmengine test mode.
    """
    METAINFO = dict(dataset='NYUDepthV2')
    DATA_HINT = ('NYU Depth V2 Eigen test split in the BTS layout: '
                 '<data_root>/official_splits/test/<scene>/rgb_<n>.jpg + sync_depth_<n>.png '
                 '(extract it from nyu_depth_v2_labeled.mat with the BTS/AdaBins scripts); a '
                 'synthetic twin: mmext.synthetic.depth_benchmark_twins.generate_nyu_twin')

    def __init__(self, data_root: str, split_file: Optional[str] = None,
                 depth_scale: float = 1e-3, K: Sequence[float] = NYU_K,
                 pipeline: Sequence = (), test_mode: bool = True, **kwargs) -> None:
        self.split_file, self.depth_scale, self.K = split_file, depth_scale, _K(K)
        super().__init__(data_root=data_root, pipeline=list(pipeline), test_mode=test_mode,
                         **kwargs)

    def load_data_list(self) -> List[Dict]:
        base = osp.join(self.data_root, 'official_splits', 'test')
        if self.split_file:
            pairs = [[osp.join(base, a.lstrip('/')), osp.join(base, b.lstrip('/'))]
                     for a, b in _read_pairs(osp.join(self.data_root, self.split_file))]
        else:
            imgs = sorted(glob.glob(osp.join(base, '*', 'rgb_*.jpg')))
            if not imgs:
                raise FileNotFoundError(f'{base}: no <scene>/rgb_*.jpg (expected the BTS NYU '
                                        'layout official_splits/test/<scene>/rgb_<n>.jpg)')
            pairs = [[p, osp.join(osp.dirname(p),
                                  osp.basename(p).replace('rgb_', 'sync_depth_')[:-4] + '.png')]
                     for p in imgs]
        out = []
        for img, dep in pairs:
            for p in (img, dep):
                if not osp.isfile(p):
                    raise FileNotFoundError(f'{p}: listed NYU file missing')
            out.append(dict(img_path=img, depth_path=dep, depth_scale=self.depth_scale,
                            K=self.K, sample_id=osp.relpath(img, base)))
        return out


@DATASETS.register_module()
class KITTIEigenDepthDataset(BaseDataset):
    """KITTI Eigen test images with annotated depth (652) in the KITTI raw + depth-annotated
    layout (see the module doc).

    Args:
        data_root: Folder holding ``raw_data/`` and ``data_depth_annotated/``.
        split_file: List of image/depth pairs (DAV2's ``val.txt`` or BTS's
            ``eigen_test_files_with_gt.txt``), relative to ``data_root`` or absolute.
        depth_scale: Metres per depth-PNG unit (1/256).
        pipeline: Transforms.
        test_mode: mmengine test mode.
    """
    METAINFO = dict(dataset='KITTIEigen')
    DATA_HINT = ('KITTI Eigen with annotated depth: <data_root>/raw_data/<date>/<drive>/'
                 'image_02/data/*.png (KITTI raw) + <data_root>/data_depth_annotated/{train,val}/'
                 '<drive>/proj_depth/groundtruth/image_02/*.png (KITTI depth), and a split list '
                 "such as DAV2's metric_depth/dataset/splits/kitti/val.txt; a synthetic twin: "
                 'mmext.synthetic.depth_benchmark_twins.generate_kitti_eigen_twin')

    def __init__(self, data_root: str, split_file: str, depth_scale: float = 1 / 256.0,
                 pipeline: Sequence = (), test_mode: bool = True, **kwargs) -> None:
        self.split_file, self.depth_scale = split_file, depth_scale
        super().__init__(data_root=data_root, pipeline=list(pipeline), test_mode=test_mode,
                         **kwargs)

    def _resolve(self, p: str, kind: str) -> str:
        if osp.isabs(p) and osp.isfile(p):
            return p
        key = 'raw_data/' if kind == 'image' else 'data_depth_annotated/'
        if key in p:                               # absolute path of another machine
            return osp.join(self.data_root, key + p.split(key, 1)[1])
        if kind == 'image':
            return osp.join(self.data_root, 'raw_data', p.lstrip('/'))
        for sub in ('val', 'train'):
            cand = osp.join(self.data_root, 'data_depth_annotated', sub, p.lstrip('/'))
            if osp.isfile(cand):
                return cand
        return osp.join(self.data_root, 'data_depth_annotated', 'val', p.lstrip('/'))

    def load_data_list(self) -> List[Dict]:
        out = []
        path = osp.join(self.data_root, self.split_file)
        for n, (img, dep) in enumerate(_read_pairs(path), 1):
            if dep == 'None':                      # BTS lists frames without ground truth
                continue
            img, dep = self._resolve(img, 'image'), self._resolve(dep, 'depth')
            for p in (img, dep):
                if not osp.isfile(p):
                    raise FileNotFoundError(f'{path}:{n}: {p} missing (expected the KITTI '
                                            'raw_data/ + data_depth_annotated/ layout)')
            out.append(dict(img_path=img, depth_path=dep, depth_scale=self.depth_scale,
                            K=None, sample_id=osp.relpath(img, self.data_root)))
        if not out:
            raise ValueError(f'{path}: no image/depth pair listed')
        return out


@TRANSFORMS.register_module()
class LoadImageDepth:
    """Load ``img`` (RGB uint8) and ``gt_depth`` (``png * depth_scale`` metres, 0 = invalid)
    of the cross-domain benchmarks; ``K`` when the data info has one."""

    def __call__(self, results: Dict) -> Dict:
        img = cv2.imread(results['img_path'], cv2.IMREAD_COLOR)
        if img is None:
            raise FileNotFoundError(f"{results['img_path']}: cannot read the image")
        dep = cv2.imread(results['depth_path'], cv2.IMREAD_UNCHANGED)
        if dep is None or dep.ndim != 2:
            raise ValueError(f"{results['depth_path']}: expected a single-channel depth PNG")
        results['img'] = img[..., ::-1].copy()
        results['gt_depth'] = dep.astype(np.float32) * float(results['depth_scale'])
        if results['gt_depth'].shape != results['img'].shape[:2]:
            raise ValueError(f"{results['depth_path']}: depth {results['gt_depth'].shape} and "
                             f"image {results['img'].shape[:2]} differ in size")
        if results.get('K') is None:
            results.pop('K', None)
        results['ori_shape'] = results['img'].shape[:2]
        return results

    def __repr__(self) -> str:
        return 'LoadImageDepth()'
