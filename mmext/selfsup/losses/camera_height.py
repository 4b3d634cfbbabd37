"""FUMET's fine scale term: the camera height seen in the depth matches its pseudo-label."""
from typing import Union

import torch
from torch import Tensor, nn

from mmext.geometry import fumet_road_heights, road_heights
from mmext.registry import MODELS
from mmext.utils.amp import float32

__all__ = ['CameraHeightLoss']

_FORMS = ('per_pixel', 'median')


@MODELS.register_module()
class CameraHeightLoss(nn.Module):
    """FUMET's fine metric loss against the camera-height target ``h_t``.

    ``form='per_pixel'`` (FUMET's code, ``compute_cam_heights_and_road_normals``): every road
    pixel ``p`` of an image gives a height ``h(p) = -n(p) . X(p)`` with the 8-neighbour
    normals :func:`~mmext.geometry.fumet_normals`; the image's loss is
    ``mean_p |h_t - h(p)|`` over its road pixels (:func:`~mmext.geometry.fumet_road_mask`:
    not the last row, first or last column), and the loss is the mean over the images whose
    road covers more than ``min_fraction`` of the image. Every road pixel gets a gradient.

    ``form='median'`` (mmext's earlier form, kept as an option): ``mean_b |h_t - h_b|`` with
    ``h_b`` the median of the right x down heights (:func:`~mmext.geometry.road_heights`):
    only the median pixel and its two neighbours get a gradient (with 3% depth noise, 3
    pixels instead of every road pixel), images with fewer than ``min_pixels`` road pixels
    are skipped.

    A NaN target (no pseudo-label yet) skips its image in both forms.

    Args:
        loss_weight: Multiplier of the loss (FUMET: ``--fine_metric_weight`` 0.01).
        form: ``'per_pixel'`` (FUMET) or ``'median'``.
        min_fraction: ``per_pixel``: smallest road share of an image (FUMET: 0.01).
        min_pixels: ``median``: fewest road pixels for an image to count.
        loss_name: Key of the loss in the loss dict.
    """

    def __init__(self, loss_weight: float = 0.01, form: str = 'per_pixel',
                 min_fraction: float = 0.01, min_pixels: int = 20,
                 loss_name: str = 'loss_camera_height') -> None:
        super().__init__()
        if form not in _FORMS:
            raise ValueError(f'CameraHeightLoss form must be one of {_FORMS}, got {form!r}')
        self.loss_weight, self.form, self.loss_name = loss_weight, form, loss_name
        self.min_fraction, self.min_pixels = min_fraction, min_pixels

    @float32
    def forward(self, depth: Tensor, K: Tensor, road_mask: Tensor,
                target: Union[float, Tensor]) -> Tensor:
        """Loss for ``(B, 1, H, W)`` depth, ``(B, 3, 3)`` intrinsics, a ``(B, [1,] H, W)`` road
        mask and the target camera height (a float, or a scalar / ``(B,)`` tensor, detached).
        0 (with a graph) when no image is valid."""
        B = depth.shape[0]
        target = torch.as_tensor(target, dtype=depth.dtype, device=depth.device).detach()
        target = target.expand(B)
        if self.form == 'median':
            h = road_heights(depth, K, road_mask, self.min_pixels)['height']
            valid = torch.isfinite(h) & torch.isfinite(target)
            if not bool(valid.any()):
                return depth.sum() * 0.0
            return self.loss_weight * (target[valid] - h[valid]).abs().mean()
        info = fumet_road_heights(depth, K, road_mask, self.min_fraction)
        per_image = []
        for b in range(B):
            if bool(info['valid'][b]) and bool(torch.isfinite(target[b])):
                per_image.append((target[b] - info['pixel_height'][b][info['mask'][b]])
                                 .abs().mean())
        if not per_image:
            return depth.sum() * 0.0
        return self.loss_weight * torch.stack(per_image).mean()
