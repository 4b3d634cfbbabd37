"""Transforms of :class:`KITTIRawDataset` samples: load frames / masks / GT, resize, flip,
colour-jitter, pack.

Keys used (F = number of ``frame_ids``, target first):

- ``frames`` uint8 (F, H, W, 3) RGB, ``frames_aug`` the same after colour jitter (only
  present once :class:`FrameColorJitter` ran),
- ``K`` float64 (3, 3) intrinsics of the current ``frames`` size,
- ``road_mask`` bool (H, W), ``instance_map`` int64 (H, W), ``instance_labels`` int64 (N,)
  [, ``instance_heights`` float32 (N,)] (target frame, :mod:`.road_masks`),
- ``gt_depth`` float32 (H0, W0): always at the original resolution (never resized).

A typical training pipeline (monodepth2)::

    [dict(type='LoadKITTIFrames'), dict(type='LoadRoadInstanceMasks'),
     dict(type='ResizeFrames', scale=(640, 192)), dict(type='RandomFlipFrames', prob=0.5),
     dict(type='FrameColorJitter'), dict(type='PackSelfSupInputs')]
"""
from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.structures import BaseDataElement

from mmext.geometry import scale_intrinsics
from mmext.registry import TRANSFORMS
from .kitti_gt import load_gt_depths
from .kitti_io import velodyne_to_depth
from .road_masks import load_road_instance_masks

__all__ = ['LoadKITTIFrames', 'LoadRoadInstanceMasks', 'LoadKITTIDepthGT', 'ResizeFrames',
           'RandomFlipFrames', 'FrameColorJitter', 'PackSelfSupInputs', 'read_depth_png']


def _read_rgb(path: str) -> np.ndarray:
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        raise FileNotFoundError(f'cannot read image {path!r} (missing or not an image)')
    return img[..., ::-1]


def read_depth_png(path: str) -> np.ndarray:
    """KITTI depth-benchmark png (uint16, depth * 256, 0 = invalid) -> float32 metres."""
    img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if img is None:
        raise FileNotFoundError(f'cannot read GT depth png {path!r}')
    if img.dtype != np.uint16 or img.ndim != 2:
        raise ValueError(f'{path}: expected a single-channel uint16 png (depth * 256), got '
                         f'{img.dtype} {img.shape}')
    return img.astype(np.float32) / 256.0


@TRANSFORMS.register_module()
class LoadKITTIFrames(BaseTransform):
    """Load the images of every frame id (``img_paths``) into ``frames`` (F, H, W, 3).

    Also sets ``K`` (a float64 copy of the calibration's), ``ori_shape`` and ``img_shape``.
    Every image must have the size of the calibration's ``S_rect`` (``ori_shape``).
    """

    def transform(self, results: Dict) -> Dict:
        frames = [_read_rgb(p) for p in results['img_paths']]
        shape = tuple(results.get('ori_shape') or frames[0].shape[:2])
        for p, f in zip(results['img_paths'], frames):
            if f.shape[:2] != shape:
                raise ValueError(f'{p}: image is {f.shape[:2]} (H, W) but the calibration '
                                 f'(S_rect) says {shape} ({results.get("split_line", "")})')
        results['frames'] = np.stack(frames)
        results['K'] = np.array(results['K'], dtype=np.float64)
        results['ori_shape'] = shape
        results['img_shape'] = shape
        return results


@TRANSFORMS.register_module()
class LoadRoadInstanceMasks(BaseTransform):
    """Load the target frame's road / instance masks (``mask_path``, format:
    :mod:`.road_masks`).

    The file must have the image's original size (``ori_shape``); when the frames were
    already resized / flipped (this transform placed after ``ResizeFrames`` /
    ``RandomFlipFrames``) the masks are resized (nearest) / flipped to match.

    Args:
        classes: Category names ``instance_labels`` index into; default the dataset's
            ``classes`` (stored in each sample).
    """

    def __init__(self, classes: Optional[Sequence[str]] = None) -> None:
        self.classes = None if classes is None else tuple(classes)

    def transform(self, results: Dict) -> Dict:
        path = results.get('mask_path')
        if path is None:
            raise ValueError(f'{results.get("split_line", "sample")}: no mask_path; set '
                             f'mask_root on the dataset to use LoadRoadInstanceMasks')
        classes = self.classes if self.classes is not None else results.get('classes', ())
        masks = load_road_instance_masks(path, classes, results.get('ori_shape'))
        h, w = results['frames'].shape[1:3] if 'frames' in results else \
            masks['road_mask'].shape
        for key in ('road_mask', 'instance_map'):
            if masks[key].shape != (h, w):
                masks[key] = _nearest(masks[key], (w, h))
            if results.get('flip'):
                masks[key] = np.ascontiguousarray(masks[key][:, ::-1])
        results.update(masks)
        return results


@TRANSFORMS.register_module()
class LoadKITTIDepthGT(BaseTransform):
    """Load ``gt_depth`` float32 (H0, W0): entry ``gt_index`` of a ``gt_depths.npz``, a
    depth-benchmark png (``gt_depth_path``) or a velodyne scan projected with
    ``gt_velodyne``, whichever the dataset was configured with."""

    def transform(self, results: Dict) -> Dict:
        path = results.get('gt_depth_path')
        if path is None:
            raise ValueError(f'{results.get("split_line", "sample")}: no GT depth; set gt_depth '
                             f"on the dataset ('npz', 'png' or a .npz path)")
        if results.get('gt_velodyne') is not None:
            kw = dict(results['gt_velodyne'])
            H, W = results['ori_shape']
            depth = velodyne_to_depth(kw.pop('calib_dir'), path, results['side'],
                                      image_size=(W, H), **kw)
        elif results.get('gt_index') is not None:
            depth = np.asarray(load_gt_depths(path)[results['gt_index']], dtype=np.float32)
        else:
            depth = read_depth_png(path)
        results['gt_depth'] = depth
        return results


def _nearest(arr: np.ndarray, size: Tuple[int, int]) -> np.ndarray:
    """Nearest-neighbour resize of (H, W) to ``size = (W', H')`` (pixel-centre aligned)."""
    H, W = arr.shape[:2]
    W2, H2 = size
    rows = np.minimum(((np.arange(H2) + 0.5) * H / H2).astype(np.int64), H - 1)
    cols = np.minimum(((np.arange(W2) + 0.5) * W / W2).astype(np.int64), W - 1)
    return arr[rows[:, None], cols[None, :]]


@TRANSFORMS.register_module()
class CropFrames(BaseTransform):
    """Crop ``top`` / ``bottom`` fractions of the rows off every frame, mask and GT map, and
    shift ``K`` (``c_y -= top rows``); e.g. the ego car's bonnet at the bottom of Cityscapes
    frames (ManyDepth / FUMET crop the bottom 25%). Place it after ``LoadRoadInstanceMasks``
    and before ``ResizeFrames``.

    Args:
        top: Fraction of the rows removed at the top.
        bottom: Fraction of the rows removed at the bottom.
    """

    def __init__(self, top: float = 0.0, bottom: float = 0.25) -> None:
        if not (0 <= top < 1 and 0 <= bottom < 1 and top + bottom < 1):
            raise ValueError(f'need 0 <= top, bottom and top + bottom < 1, got {top}, {bottom}')
        self.top, self.bottom = top, bottom

    def transform(self, results: Dict) -> Dict:
        h = results['frames'].shape[1]
        t, b = int(round(h * self.top)), h - int(round(h * self.bottom))
        for key in ('frames', 'frames_aug'):
            if key in results:
                results[key] = np.ascontiguousarray(results[key][:, t:b])
        for key in ('road_mask', 'instance_map', 'gt_depth'):
            if key in results:
                if results[key].shape[0] != h:
                    raise ValueError(f'{key} has {results[key].shape[0]} rows, the frames {h}: '
                                     'crop before resizing')
                results[key] = np.ascontiguousarray(results[key][t:b])
        K = np.array(results['K'], dtype=np.float64)
        K[1, 2] -= t
        results['K'] = K
        results['img_shape'] = results['frames'].shape[1:3]
        return results


@TRANSFORMS.register_module()
class ResizeFrames(BaseTransform):
    """Resize ``frames`` (and ``frames_aug``) to ``scale = (W, H)`` and scale ``K``.

    Images: area interpolation when shrinking, bilinear otherwise. Masks: nearest (pixel
    centres). ``K``: :func:`mmext.geometry.scale_intrinsics` (pixel centres at integers,
    ``align_corners=False``). ``gt_depth`` is not resized (metrics use the original size).
    """

    def __init__(self, scale: Sequence[int]) -> None:
        if len(scale) != 2:
            raise ValueError(f'scale must be (W, H), got {scale!r}')
        self.scale = (int(scale[0]), int(scale[1]))

    def transform(self, results: Dict) -> Dict:
        W, H = self.scale
        h, w = results['frames'].shape[1:3]
        if (h, w) == (H, W):
            return results
        interp = cv2.INTER_AREA if (W <= w and H <= h) else cv2.INTER_LINEAR
        for key in ('frames', 'frames_aug'):
            if key in results:
                results[key] = np.stack([cv2.resize(f, (W, H), interpolation=interp)
                                         for f in results[key]])
        for key in ('road_mask', 'instance_map'):
            if key in results:
                results[key] = _nearest(results[key], (W, H))
        K = scale_intrinsics(torch.as_tensor(results['K'], dtype=torch.float64), W / w, H / h)
        results['K'] = K.numpy()
        results['img_shape'] = (H, W)
        results['scale_factor'] = (W / w, H / h)
        return results


@TRANSFORMS.register_module()
class RandomFlipFrames(BaseTransform):
    """Flip all frames, masks and GT left-right with probability ``prob``; ``cx' = W-1-cx``.

    Sets ``flip`` (bool). A flipped image is that of a mirrored camera, whose principal
    point mirrors about the image centre (pixel centres at integers).
    """

    def __init__(self, prob: float = 0.5) -> None:
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = prob

    def transform(self, results: Dict) -> Dict:
        flip = bool(np.random.rand() < self.prob)
        results['flip'] = flip
        if not flip:
            return results
        for key in ('frames', 'frames_aug'):
            if key in results:
                results[key] = np.ascontiguousarray(results[key][:, :, ::-1])
        for key in ('road_mask', 'instance_map', 'gt_depth'):
            if key in results:
                results[key] = np.ascontiguousarray(results[key][:, ::-1])
        W = results['frames'].shape[2]
        K = np.array(results['K'], dtype=np.float64)
        K[0, 2] = W - 1 - K[0, 2]
        K[0, 1] = -K[0, 1]
        results['K'] = K
        return results


@TRANSFORMS.register_module()
class FrameColorJitter(BaseTransform):
    """monodepth2's colour augmentation: with probability ``prob`` draw ONE random jitter
    and apply it to every frame, writing ``frames_aug``; ``frames`` stay untouched (the
    networks see ``frames_aug``, the photometric losses use ``frames``).

    Brightness, contrast and saturation factors are uniform in ``[max(0, 1 - x), 1 + x]``,
    the hue shift uniform in ``[-hue, hue]``; the four are applied in a random order
    (torchvision's ``ColorJitter``). Sets ``color_jitter`` (the drawn parameters or None).
    """

    def __init__(self, brightness: float = 0.2, contrast: float = 0.2, saturation: float = 0.2,
                 hue: float = 0.1, prob: float = 0.5) -> None:
        if not 0.0 <= hue <= 0.5:
            raise ValueError(f'hue must be in [0, 0.5], got {hue}')
        self.brightness, self.contrast, self.saturation, self.hue = \
            brightness, contrast, saturation, hue
        self.prob = prob

    def _params(self) -> dict:
        def factor(x):
            return float(np.random.uniform(max(0.0, 1 - x), 1 + x)) if x > 0 else None
        return dict(order=[int(i) for i in np.random.permutation(4)],
                    brightness=factor(self.brightness), contrast=factor(self.contrast),
                    saturation=factor(self.saturation),
                    hue=float(np.random.uniform(-self.hue, self.hue)) if self.hue > 0 else None)

    @staticmethod
    def apply(frames: np.ndarray, params: dict) -> np.ndarray:
        """Apply jitter ``params`` to uint8 (F, H, W, 3) frames (the same to each)."""
        import torchvision.transforms.functional as TF
        x = torch.from_numpy(np.ascontiguousarray(frames)).permute(0, 3, 1, 2)
        fns = [(TF.adjust_brightness, 'brightness'), (TF.adjust_contrast, 'contrast'),
               (TF.adjust_saturation, 'saturation'), (TF.adjust_hue, 'hue')]
        for i in params['order']:
            fn, key = fns[i]
            if params[key] is not None:
                x = fn(x, params[key])
        return x.permute(0, 2, 3, 1).contiguous().numpy()

    def transform(self, results: Dict) -> Dict:
        if np.random.rand() >= self.prob:
            results['color_jitter'] = None
            return results
        params = self._params()
        results['frames_aug'] = self.apply(results['frames'], params)
        results['color_jitter'] = params
        return results


@TRANSFORMS.register_module()
class PackSelfSupInputs(BaseTransform):
    """Pack a sample for the self-supervised depth models.

    Returns ``dict(inputs=dict(frames, frames_aug), data_samples)``:

    - ``frames``: uint8 tensor (F, 3, H, W) in ``frame_ids`` order (target 0 first);
    - ``frames_aug``: uint8 tensor (F, 3, H, W), the colour-jittered copy, or ``frames``
      itself when no jitter ran (then both may share storage);
    - ``data_samples``: :class:`mmengine.structures.BaseDataElement` with ``K`` float32
      (3, 3) at the network input size; ``road_mask`` bool (H, W), ``instance_map`` int64
      (H, W), ``instance_labels`` int64 (N,) [, ``instance_heights`` float32 (N,)] when
      masks were loaded; ``gt_depth`` float32 (H0, W0) at the original resolution when GT
      was loaded; metainfo ``img_path`` (target frame), ``sample_idx``, ``ori_shape``,
      ``img_shape``, ``folder``, ``frame_index``, ``side``, ``frame_ids``, ``flip``.
    """

    META_KEYS = ('img_path', 'sample_idx', 'ori_shape', 'img_shape', 'folder', 'frame_index',
                 'side', 'frame_ids', 'flip', 'scale_factor')
    DATA_KEYS = (('road_mask', torch.bool), ('instance_map', torch.int64),
                 ('instance_labels', torch.int64), ('instance_heights', torch.float32),
                 ('gt_depth', torch.float32))

    def transform(self, results: Dict) -> Dict:
        frames = torch.from_numpy(np.ascontiguousarray(results['frames'])).permute(0, 3, 1, 2)
        frames = frames.contiguous()
        aug = results.get('frames_aug')
        frames_aug = frames if aug is None else \
            torch.from_numpy(np.ascontiguousarray(aug)).permute(0, 3, 1, 2).contiguous()
        sample = BaseDataElement(metainfo={k: results[k] for k in self.META_KEYS
                                           if k in results})
        sample.K = torch.as_tensor(np.asarray(results['K']), dtype=torch.float32)
        for key, dtype in self.DATA_KEYS:
            if key in results:
                sample.set_field(torch.as_tensor(np.ascontiguousarray(results[key])).to(dtype),
                                 key)
        return dict(inputs=dict(frames=frames, frames_aug=frames_aug), data_samples=sample)
