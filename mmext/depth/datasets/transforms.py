"""Transforms for RGB + depth + food mask + intrinsics, keeping them consistent.

A results dict carries ``img`` (H, W, 3) uint8 RGB, ``gt_depth`` (H, W) float32 metres (0 =
invalid), ``food_mask`` (H, W) bool, ``K`` (3, 3) for the current image size and
``gt_volume`` (m^3, unchanged by these transforms: they keep the metric geometry).
Geometric transforms update ``K``; depth and masks are resampled with nearest neighbour so
no depth is invented across object edges.
"""
from typing import Dict, Sequence, Tuple

import cv2
import numpy as np
import torch
from mmengine.structures import BaseDataElement

from mmext.registry import TRANSFORMS
from .nutrition5k_io import read_depth_raw


def _rng(results: Dict) -> np.random.Generator:
    return np.random.default_rng(np.random.randint(0, 2 ** 31))


class _Transform:
    def __call__(self, results: Dict) -> Dict:
        return self.transform(results)

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.__dict__})'


def _scale_K(K: np.ndarray, sx: float, sy: float) -> np.ndarray:
    K = K.copy()
    K[0, 0] *= sx
    K[1, 1] *= sy
    K[0, 2] = sx * (K[0, 2] + 0.5) - 0.5
    K[1, 2] = sy * (K[1, 2] + 0.5) - 0.5
    return K


@TRANSFORMS.register_module()
class LoadNutrition5kDish(_Transform):
    """Load ``img`` (RGB), ``gt_depth`` (metres) and ``food_mask`` from the data info paths."""

    def transform(self, results: Dict) -> Dict:
        img = cv2.imread(results['img_path'], cv2.IMREAD_COLOR)
        if img is None:
            raise FileNotFoundError(f"{results['img_path']}: cannot read rgb.png")
        results['img'] = img[..., ::-1].copy()
        results['gt_depth'] = read_depth_raw(results['depth_path'], results.get('depth_unit',
                                                                                1e-4))
        m = cv2.imread(results['mask_path'], cv2.IMREAD_GRAYSCALE)
        if m is None:
            raise FileNotFoundError(f"{results['mask_path']}: cannot read the food mask")
        results['food_mask'] = m > 127
        results['K'] = np.asarray(results['K'], np.float64)
        results['ori_shape'] = results['img'].shape[:2]
        for k in ('gt_depth', 'food_mask'):
            if results[k].shape != results['ori_shape']:
                raise ValueError(f"{results['img_path']}: {k} {results[k].shape} does not match "
                                 f"rgb.png {results['ori_shape']}")
        return results


def _resize_all(results: Dict, h: int, w: int) -> Dict:
    H, W = results['img'].shape[:2]
    results['img'] = cv2.resize(results['img'], (w, h), interpolation=cv2.INTER_LINEAR)
    results['gt_depth'] = cv2.resize(results['gt_depth'], (w, h), interpolation=cv2.INTER_NEAREST)
    results['food_mask'] = cv2.resize(results['food_mask'].astype(np.uint8), (w, h),
                                      interpolation=cv2.INTER_NEAREST) > 0
    results['K'] = _scale_K(results['K'], w / W, h / H)
    return results


@TRANSFORMS.register_module()
class ResizeK(_Transform):
    """Resize to ``scale=(h, w)`` (K scaled; depth/mask nearest)."""

    def __init__(self, scale: Tuple[int, int]) -> None:
        self.scale = tuple(scale)

    def transform(self, results: Dict) -> Dict:
        return _resize_all(results, *self.scale)


def dav2_infer_size(h: int, w: int, input_size: int = 518,
                    multiple_of: int = 14) -> Tuple[int, int]:
    """Network input ``(h, w)`` of DAV2's ``image2tensor``: ``Resize(keep_aspect_ratio=True,
    resize_method='lower_bound', ensure_multiple_of=14)`` -- the short side scaled to
    ``input_size``, each side rounded to a multiple of 14 (never below ``input_size``)."""
    scale = max(input_size / h, input_size / w)

    def constrain(x: float) -> int:
        y = int(np.round(x / multiple_of) * multiple_of)
        return int(np.ceil(x / multiple_of) * multiple_of) if y < input_size else y
    return constrain(scale * h), constrain(scale * w)


@TRANSFORMS.register_module()
class DAV2InferResize(_Transform):
    """The official DAV2 inference resize (``DepthAnythingV2.image2tensor``) as a transform.

    Only the image is resized: short side -> ``input_size`` keeping the aspect ratio, sides
    multiples of 14 (640x480 -> 686x518), bicubic (``cv2.INTER_CUBIC``) on a float image (the
    official code resizes ``rgb / 255`` in float; the resize is linear, so resizing the float
    0-255 image and normalising afterwards is the same). ``gt_depth``, ``food_mask`` and ``K``
    keep the original size: :class:`DepthEstimator` resizes the prediction back to the
    ground-truth size with bilinear ``align_corners=True``, as ``infer_image`` does.

    Args:
        input_size: Short-side target (518).
        multiple_of: Side multiple (14, the ViT patch).
    """

    def __init__(self, input_size: int = 518, multiple_of: int = 14) -> None:
        self.input_size, self.multiple_of = int(input_size), int(multiple_of)

    def transform(self, results: Dict) -> Dict:
        H, W = results['img'].shape[:2]
        h, w = dav2_infer_size(H, W, self.input_size, self.multiple_of)
        results['img'] = cv2.resize(results['img'].astype(np.float32), (w, h),
                                    interpolation=cv2.INTER_CUBIC)
        results['img_shape'] = (h, w)
        return results


@TRANSFORMS.register_module()
class RandomScaleCropK(_Transform):
    """Resize by a random factor of ``base_scale`` then crop ``crop_size=(h, w)``; K follows.

    Args:
        crop_size: Output ``(h, w)``.
        base_scale: ``(h, w)`` the image is first resized to.
        ratio_range: Random extra scale factor range (>= 1 keeps the crop inside).
        keep_mask: Prefer crops containing the whole food mask (volume label stays valid).
    """

    def __init__(self, crop_size: Tuple[int, int], base_scale: Tuple[int, int],
                 ratio_range: Tuple[float, float] = (1.0, 1.25), keep_mask: bool = True) -> None:
        self.crop_size, self.base_scale = tuple(crop_size), tuple(base_scale)
        self.ratio_range, self.keep_mask = tuple(ratio_range), keep_mask

    def transform(self, results: Dict) -> Dict:
        r = np.random.uniform(*self.ratio_range)
        ch, cw = self.crop_size
        h = max(ch, int(round(self.base_scale[0] * r)))
        w = max(cw, int(round(self.base_scale[1] * r)))
        results = _resize_all(results, h, w)
        lo_y, hi_y, lo_x, hi_x = 0, h - ch, 0, w - cw
        if self.keep_mask and results['food_mask'].any():
            ys, xs = np.nonzero(results['food_mask'])
            lo_y2, hi_y2 = max(0, ys.max() - ch + 1), min(h - ch, ys.min())
            lo_x2, hi_x2 = max(0, xs.max() - cw + 1), min(w - cw, xs.min())
            if lo_y2 <= hi_y2 and lo_x2 <= hi_x2:
                lo_y, hi_y, lo_x, hi_x = lo_y2, hi_y2, lo_x2, hi_x2
        top, left = np.random.randint(lo_y, hi_y + 1), np.random.randint(lo_x, hi_x + 1)
        sl = (slice(top, top + ch), slice(left, left + cw))
        for k in ('img', 'gt_depth', 'food_mask'):
            results[k] = np.ascontiguousarray(results[k][sl])
        K = results['K'].copy()
        K[0, 2] -= left
        K[1, 2] -= top
        results['K'] = K
        return results


@TRANSFORMS.register_module()
class RandomDepthFlip(_Transform):
    """Horizontal flip with probability ``prob``; ``cx -> W - 1 - cx``."""

    def __init__(self, prob: float = 0.5) -> None:
        self.prob = prob

    def transform(self, results: Dict) -> Dict:
        if np.random.rand() >= self.prob:
            return results
        W = results['img'].shape[1]
        for k in ('img', 'gt_depth', 'food_mask'):
            results[k] = np.ascontiguousarray(results[k][:, ::-1])
        K = results['K'].copy()
        K[0, 2] = W - 1 - K[0, 2]
        results['K'] = K
        return results


@TRANSFORMS.register_module()
class RandomRotateK(_Transform):
    """Rotate by up to ``max_deg`` about the principal point: a camera roll, so z-depth and K
    are unchanged (exact for ``fx == fy``); pixels rotated in from outside get depth 0 (invalid).
    """

    def __init__(self, max_deg: float = 5.0, prob: float = 0.5) -> None:
        self.max_deg, self.prob = max_deg, prob

    def transform(self, results: Dict) -> Dict:
        if np.random.rand() >= self.prob:
            return results
        K = results['K']
        if abs(K[0, 0] - K[1, 1]) > 1e-2 * K[0, 0]:   # resizes may round by a pixel
            raise ValueError('RandomRotateK needs fx == fy (rotation about the optical axis), '
                             f'got fx={K[0, 0]:.2f}, fy={K[1, 1]:.2f}')
        ang = np.random.uniform(-self.max_deg, self.max_deg)
        H, W = results['img'].shape[:2]
        M = cv2.getRotationMatrix2D((float(K[0, 2]), float(K[1, 2])), ang, 1.0)
        results['img'] = cv2.warpAffine(results['img'], M, (W, H), flags=cv2.INTER_LINEAR,
                                        borderMode=cv2.BORDER_REFLECT)
        results['gt_depth'] = cv2.warpAffine(results['gt_depth'], M, (W, H),
                                             flags=cv2.INTER_NEAREST, borderValue=0)
        results['food_mask'] = cv2.warpAffine(results['food_mask'].astype(np.uint8), M, (W, H),
                                              flags=cv2.INTER_NEAREST, borderValue=0) > 0
        return results


@TRANSFORMS.register_module()
class DepthColorJitter(_Transform):
    """Random brightness / contrast / saturation (factors in ``1 +- value``) on the RGB image."""

    def __init__(self, brightness: float = 0.2, contrast: float = 0.2, saturation: float = 0.2,
                 prob: float = 0.8) -> None:
        self.b, self.c, self.s, self.prob = brightness, contrast, saturation, prob

    def transform(self, results: Dict) -> Dict:
        if np.random.rand() >= self.prob:
            return results
        img = results['img'].astype(np.float32)
        img *= np.random.uniform(1 - self.b, 1 + self.b)
        mean = img.mean()
        img = (img - mean) * np.random.uniform(1 - self.c, 1 + self.c) + mean
        gray = img.mean(-1, keepdims=True)
        img = (img - gray) * np.random.uniform(1 - self.s, 1 + self.s) + gray
        results['img'] = np.clip(img, 0, 255).astype(np.uint8)
        return results


@TRANSFORMS.register_module()
class DepthGaussianBlur(_Transform):
    """Gaussian blur of the RGB image with sigma in ``sigma_range``."""

    def __init__(self, sigma_range: Tuple[float, float] = (0.1, 1.5), prob: float = 0.3) -> None:
        self.sigma_range, self.prob = tuple(sigma_range), prob

    def transform(self, results: Dict) -> Dict:
        if np.random.rand() < self.prob:
            results['img'] = cv2.GaussianBlur(results['img'], (0, 0),
                                              np.random.uniform(*self.sigma_range))
        return results


@TRANSFORMS.register_module()
class DepthNoise(_Transform):
    """Sensor-like corruption of the depth label: multiplicative Gaussian noise (``rel_std``)
    and dropout of a random share of pixels to 0 (invalid)."""

    def __init__(self, rel_std: float = 0.005, dropout: float = 0.01, prob: float = 0.5) -> None:
        self.rel_std, self.dropout, self.prob = rel_std, dropout, prob

    def transform(self, results: Dict) -> Dict:
        if np.random.rand() >= self.prob:
            return results
        d = results['gt_depth'].astype(np.float32)
        noisy = d * (1 + np.random.normal(0, self.rel_std, d.shape)).astype(np.float32)
        noisy[np.random.rand(*d.shape) < self.dropout] = 0
        results['gt_depth'] = np.where(d > 0, noisy, 0).astype(np.float32)
        return results


@TRANSFORMS.register_module()
class MaskMorphology(_Transform):
    """Random erosion or dilation of the food mask by up to ``max_px`` pixels (seed 001)."""

    def __init__(self, max_px: int = 5, prob: float = 0.5) -> None:
        self.max_px, self.prob = max_px, prob

    def transform(self, results: Dict) -> Dict:
        if np.random.rand() >= self.prob or self.max_px <= 0:
            return results
        r = np.random.randint(1, self.max_px + 1)
        kernel = np.ones((2 * r + 1, 2 * r + 1), np.uint8)
        m = results['food_mask'].astype(np.uint8)
        op = cv2.dilate if np.random.rand() < 0.5 else cv2.erode
        results['food_mask'] = op(m, kernel) > 0
        return results


@TRANSFORMS.register_module()
class PackDepthInputs(_Transform):
    """``inputs``: (3, H, W) uint8 tensor; ``data_samples``: BaseDataElement with gt_depth
    (1, H, W), food_mask (1, H, W), K (3, 3), gt_volume and meta keys."""

    def __init__(self, meta_keys: Sequence[str] = ('dish_id', 'img_path', 'ori_shape')) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: Dict) -> Dict:
        img = torch.from_numpy(np.ascontiguousarray(results['img'].transpose(2, 0, 1)))
        s = BaseDataElement(metainfo={k: results[k] for k in self.meta_keys if k in results})
        if 'gt_depth' in results:
            s.gt_depth = torch.from_numpy(np.asarray(results['gt_depth'], np.float32))[None]
        if 'food_mask' in results:
            s.food_mask = torch.from_numpy(np.asarray(results['food_mask'], bool))[None]
        if 'K' in results:
            s.K = torch.as_tensor(results['K'], dtype=torch.float32)
        if 'gt_volume' in results:
            s.gt_volume = torch.tensor(float(results['gt_volume']), dtype=torch.float32)
        return dict(inputs=img, data_samples=s)
