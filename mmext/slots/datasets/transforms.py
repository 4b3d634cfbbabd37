"""Transforms of MOVi clips: load, resize, pack.

Keys used: ``img`` uint8 (T, H, W, 3) (float32 on the 0-255 scale after a bicubic
``ResizeClip``), ``gt_masks`` integer (T, H', W') (the GT keeps its
own resolution unless ``ResizeClip(resize_gt=True)``), ``frame_inds``.
"""
from typing import Dict, Sequence, Union

import cv2
import numpy as np
import torch
import torch.nn.functional as F
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


INTERPOLATIONS = ('bilinear', 'bicubic')
GT_INTERPOLATIONS = ('nearest', 'nearest-exact')


@TRANSFORMS.register_module()
class ResizeClip(BaseTransform):
    """Resize every frame to ``scale`` (h, w).

    Args:
        scale: Target (h, w) or a single side.
        interpolation: ``'bilinear'`` (OpenCV, uint8 out; area when shrinking) or
            ``'bicubic'`` (the OCL framework / VideoSAUR MOVi preprocessing:
            ``torch.nn.functional.interpolate(mode='bicubic', align_corners=False)`` on float
            frames, then clamped to the valid range when ``clamp``). Bicubic frames stay
            float32 on the 0-255 scale (no rounding back to uint8).
        clamp: Clamp bicubic output to [0, 255] (bicubic overshoots; OCL / VideoSAUR clamp
            to [0, 1] before normalising).
        resize_gt: Also resize ``gt_masks``. Default False: metrics are computed at the GT's
            native resolution (OCL's DINOSAUR MOVi protocol, 128 px) and predictions are
            upsampled to it. VideoSAUR resizes the GT to the input size (224 px).
        gt_interpolation: ``'nearest'`` (OpenCV nearest) or ``'nearest-exact'`` (pixel
            centres; ``torch`` ``nearest-exact``, as VideoSAUR's mask resize).
    """

    def __init__(self, scale: Union[int, Sequence[int]], interpolation: str = 'bilinear',
                 clamp: bool = True, resize_gt: bool = False,
                 gt_interpolation: str = 'nearest') -> None:
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f'ResizeClip.interpolation must be one of {INTERPOLATIONS}, got '
                             f'{interpolation!r}')
        if gt_interpolation not in GT_INTERPOLATIONS:
            raise ValueError(f'ResizeClip.gt_interpolation must be one of '
                             f'{GT_INTERPOLATIONS}, got {gt_interpolation!r}')
        self.scale = (scale, scale) if isinstance(scale, int) else tuple(scale)
        self.interpolation, self.clamp = interpolation, clamp
        self.resize_gt, self.gt_interpolation = resize_gt, gt_interpolation

    def _resize_frames(self, img: np.ndarray) -> np.ndarray:
        h, w = self.scale
        if self.interpolation == 'bicubic':
            x = torch.from_numpy(np.ascontiguousarray(img)).float().permute(0, 3, 1, 2)
            x = F.interpolate(x, size=(h, w), mode='bicubic', align_corners=False)
            if self.clamp:
                x = x.clamp(0, 255)
            return x.permute(0, 2, 3, 1).contiguous().numpy()
        interp = cv2.INTER_AREA if img.shape[1] > h else cv2.INTER_LINEAR
        return np.stack([cv2.resize(f, (w, h), interpolation=interp) for f in img])

    def _resize_gt(self, gt: np.ndarray) -> np.ndarray:
        h, w = self.scale
        if self.gt_interpolation == 'nearest-exact':
            x = torch.from_numpy(np.ascontiguousarray(gt)).float()[:, None]
            return F.interpolate(x, size=(h, w), mode='nearest-exact')[:, 0].numpy().astype(
                np.int64)
        return np.stack([cv2.resize(m.astype(np.int32), (w, h), interpolation=cv2.INTER_NEAREST)
                         for m in gt]).astype(np.int64)

    def transform(self, results: Dict) -> Dict:
        results['img'] = self._resize_frames(results['img'])
        if self.resize_gt:
            results['gt_masks'] = self._resize_gt(results['gt_masks'])
        results['img_shape'] = self.scale
        return results


@TRANSFORMS.register_module()
class PackSlotInputs(BaseTransform):
    """Pack to ``inputs`` uint8 tensor (T, 3, H, W) and a ``BaseDataElement`` holding
    ``gt_masks`` (T, H', W') and the metainfo (video_id, frame_inds, ori_shape)."""

    META_KEYS = ('video_id', 'frame_inds', 'ori_shape', 'img_shape', 'start', 'material')

    def transform(self, results: Dict) -> Dict:
        img = torch.from_numpy(np.ascontiguousarray(results['img'])).permute(0, 3, 1, 2)
        sample = BaseDataElement(metainfo={k: results[k] for k in self.META_KEYS
                                           if k in results})
        sample.gt_masks = torch.from_numpy(results['gt_masks'])
        return dict(inputs=img.contiguous(), data_samples=sample)
