"""Transforms of MOVi clips: load, resize, pack.

Keys used: ``img`` uint8 (T, H, W, 3), ``gt_masks`` integer (T, H', W') (the GT keeps its
own resolution unless ``ResizeClip(resize_gt=True)``), ``frame_inds``.
"""
from typing import Dict, Sequence, Union

import cv2
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.structures import BaseDataElement

from mmext.registry import TRANSFORMS
from .movi_io import load_video


@TRANSFORMS.register_module()
class LoadMOViClip(BaseTransform):
    """Load the clip of a :class:`MOViDataset` entry (random start if ``start == -1``)."""

    def transform(self, results: Dict) -> Dict:
        video, segs = load_video(results)
        span = (results['num_frames'] - 1) * results['frame_stride'] + 1
        if video.shape[0] < span:
            raise ValueError(f"{results['location']} ({results['video_id']}): "
                             f'{video.shape[0]} frames < clip span {span}')
        start = results['start']
        if start < 0:
            start = int(np.random.randint(0, video.shape[0] - span + 1))
        inds = np.arange(start, start + span, results['frame_stride'])
        results['img'] = np.ascontiguousarray(video[inds])
        results['gt_masks'] = np.ascontiguousarray(segs[inds]).astype(np.int64)
        results['frame_inds'] = inds
        results['start'] = start
        results['ori_shape'] = video.shape[1:3]
        return results


@TRANSFORMS.register_module()
class ResizeClip(BaseTransform):
    """Resize every frame to ``scale`` (h, w) (bilinear; area when shrinking).

    Args:
        scale: Target (h, w) or a single side.
        resize_gt: Also resize ``gt_masks`` (nearest). Default False: metrics are computed
            at the GT's native resolution, predictions are upsampled to it.
    """

    def __init__(self, scale: Union[int, Sequence[int]], resize_gt: bool = False) -> None:
        self.scale = (scale, scale) if isinstance(scale, int) else tuple(scale)
        self.resize_gt = resize_gt

    def transform(self, results: Dict) -> Dict:
        h, w = self.scale
        img = results['img']
        interp = cv2.INTER_AREA if img.shape[1] > h else cv2.INTER_LINEAR
        results['img'] = np.stack([cv2.resize(f, (w, h), interpolation=interp)
                                   for f in img])
        if self.resize_gt:
            results['gt_masks'] = np.stack([
                cv2.resize(m.astype(np.int32), (w, h), interpolation=cv2.INTER_NEAREST)
                for m in results['gt_masks']]).astype(np.int64)
        results['img_shape'] = (h, w)
        return results


@TRANSFORMS.register_module()
class PackSlotInputs(BaseTransform):
    """Pack to ``inputs`` uint8 tensor (T, 3, H, W) and a ``BaseDataElement`` holding
    ``gt_masks`` (T, H', W') and the metainfo (video_id, frame_inds, ori_shape)."""

    META_KEYS = ('video_id', 'frame_inds', 'ori_shape', 'img_shape', 'start')

    def transform(self, results: Dict) -> Dict:
        img = torch.from_numpy(np.ascontiguousarray(results['img'])).permute(0, 3, 1, 2)
        sample = BaseDataElement(metainfo={k: results[k] for k in self.META_KEYS
                                           if k in results})
        sample.gt_masks = torch.from_numpy(results['gt_masks'])
        return dict(inputs=img.contiguous(), data_samples=sample)
