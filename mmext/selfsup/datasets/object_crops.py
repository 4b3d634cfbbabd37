"""Object crops with their metric heights, from KITTI-layout frames and mask files: the
training data of :class:`~mmext.selfsup.models.ObjectHeightEstimator` (log 002 replaced
class-mean height priors by a learned per-instance height estimator)."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
from mmengine.dataset import BaseDataset
from mmengine.structures import BaseDataElement

from mmext.registry import DATASETS
from .kitti_io import image_path, read_split_file
from .road_masks import load_road_instance_masks, mask_path

__all__ = ['ObjectCropDataset', 'instance_crop', 'pack_crop']


def instance_crop(image: np.ndarray, instances: np.ndarray, k: int, size: Tuple[int, int],
                  context: float = 0.1) -> Optional[np.ndarray]:
    """The box of instance ``k`` (``instances == k``) grown by ``context`` of its size on
    each side, clipped to the image and resized to ``size = (W, H)`` (uint8 RGB); ``None``
    for an instance without pixels.

    The crop keeps the box's aspect ratio information only through the resize; the
    estimator sees the box's pixel size separately (``box_hw``), since the height of an
    object is not visible in a resized crop alone.
    """
    rows, cols = np.nonzero(instances == k)
    if rows.size == 0:
        return None
    v0, v1, u0, u1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    dv, du = int(round((v1 - v0) * context)), int(round((u1 - u0) * context))
    H, W = instances.shape
    v0, v1 = max(0, v0 - dv), min(H, v1 + dv)
    u0, u1 = max(0, u0 - du), min(W, u1 + du)
    crop = image[v0:v1, u0:u1]
    return cv2.resize(crop, tuple(size), interpolation=cv2.INTER_AREA
                      if crop.shape[0] > size[1] else cv2.INTER_LINEAR)


def pack_crop(crop: np.ndarray, label: int, box_hw: Sequence[float],
              height: Optional[float] = None, meta: Optional[Dict] = None) -> Dict:
    """``{'inputs': (3, h, w) uint8 tensor, 'data_samples': BaseDataElement}`` with
    ``label``, ``box_hw`` (box pixel height / width over the image height) and
    ``gt_height`` when known."""
    s = BaseDataElement(metainfo=dict(meta or {}))
    s.label = torch.tensor(int(label))
    s.box_hw = torch.tensor([float(box_hw[0]), float(box_hw[1])], dtype=torch.float32)
    if height is not None:
        s.gt_height = torch.tensor(float(height), dtype=torch.float32)
    return dict(inputs=torch.from_numpy(np.ascontiguousarray(crop.transpose(2, 0, 1))),
                data_samples=s)


@DATASETS.register_module()
class ObjectCropDataset(BaseDataset):
    """One sample per labelled instance: the crop of its box and its metric height.

    Reads a monodepth2 split file (``folder frame side`` lines) under ``data_root``, the
    frames' images and their mask files (:mod:`.road_masks`; ``heights`` required: any
    labelled set written in that format, e.g. KITTI 3D boxes' heights, or the synthetic
    twin). Instances of a class outside ``classes``, with fewer than ``min_area`` pixels
    or without a finite positive height are skipped.

    Args:
        data_root: Dataset root.
        ann_file: Split file relative to ``data_root``.
        mask_root: Mask folder (relative to ``data_root`` unless absolute).
        classes: Object categories (metainfo); ``label`` indexes them.
        crop_size: ``(W, H)`` of the crops.
        context: Box growth on each side (fraction of the box).
        min_area: Fewest mask pixels.
        img_ext: Image extension.
        generate_if_missing: Synthetic data only: write the twin under ``data_root`` with
            these :func:`~mmext.synthetic.kitti_road.write_synthetic_kitti` arguments when
            ``ann_file`` is absent.
    """

    METAINFO = dict(classes=('car', 'pedestrian', 'cyclist'))

    def __init__(self, data_root: str, ann_file: str, mask_root: str = 'masks',
                 crop_size: Sequence[int] = (64, 64), context: float = 0.1,
                 min_area: int = 20, img_ext: str = '.png',
                 generate_if_missing: Optional[dict] = None, **kwargs) -> None:
        self.generate_if_missing = generate_if_missing
        self.mask_root, self.crop_size = mask_root, (int(crop_size[0]), int(crop_size[1]))
        self.context, self.min_area, self.img_ext = context, min_area, img_ext
        super().__init__(data_root=data_root, ann_file=ann_file, **kwargs)

    def load_data_list(self) -> List[dict]:
        if self.generate_if_missing is not None and not osp.isfile(self.ann_file):
            from mmext.synthetic.kitti_road import write_synthetic_kitti
            write_synthetic_kitti(self.data_root, **dict(self.generate_if_missing))
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'split file not found: {self.ann_file!r}')
        root = self.mask_root if osp.isabs(self.mask_root) else osp.join(self.data_root,
                                                                        self.mask_root)
        classes = tuple(self.metainfo['classes'])
        out = []
        for line in read_split_file(self.ann_file):
            mpath = mask_path(root, line.folder, line.frame_index, line.side)
            m = load_road_instance_masks(mpath, classes)
            if 'instance_heights' not in m:
                raise ValueError(f'{mpath}: no heights (needed by {line.where}); the crop '
                                 'dataset trains on labelled heights')
            areas = np.bincount(m['instance_map'].ravel(),
                                minlength=len(m['instance_labels']) + 1)
            for k, (lab, h) in enumerate(zip(m['instance_labels'], m['instance_heights'])):
                if lab < 0 or not np.isfinite(h) or h <= 0 or areas[k + 1] < self.min_area:
                    continue
                out.append(dict(img_path=image_path(self.data_root, line.folder,
                                                    line.frame_index, line.side,
                                                    self.img_ext),
                                mask_path=mpath, instance=k + 1, label=int(lab),
                                height=float(h), split_line=line.where))
        return out

    def prepare_data(self, idx: int) -> Dict:
        info = self.get_data_info(idx)
        image = cv2.imread(info['img_path'], cv2.IMREAD_COLOR)
        if image is None:
            raise FileNotFoundError(f"image not found: {info['img_path']!r} (needed by "
                                    f"{info['split_line']})")
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        inst = load_road_instance_masks(info['mask_path'], self.metainfo['classes'])
        imap = inst['instance_map']
        crop = instance_crop(image, imap, info['instance'], self.crop_size, self.context)
        rows, cols = np.nonzero(imap == info['instance'])
        box_hw = ((rows.max() - rows.min() + 1) / imap.shape[0],
                  (cols.max() - cols.min() + 1) / imap.shape[0])
        return pack_crop(crop, info['label'], box_hw, info['height'],
                         dict(split_line=info['split_line'], instance=info['instance']))
