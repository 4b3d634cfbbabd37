"""Per-image depth error measures (Depth Anything V2 ``metric_depth/util/metric.py``) and the
evaluation crops/median scaling of the monodepth2 / KITTI protocol."""
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor

__all__ = ['depth_errors', 'crop_mask', 'CROPS', 'PIXEL_CROPS']

# Fractions (top, bottom, left, right) of the image kept by the standard KITTI crops.
CROPS = {
    'garg': (0.40810811, 0.99189189, 0.03594771, 0.96405229),
    'eigen': (0.3324324, 0.91351351, 0.0359477, 0.96405229),
}

# Crops given in pixels for one ground-truth size: (size, (top, bottom, left, right)).
PIXEL_CROPS = {
    # Eigen crop of NYU Depth V2 (BTS / AdaBins / ZoeDepth eval: rows 45:471, cols 41:601).
    'nyu_eigen': ((480, 640), (45, 471, 41, 601)),
}


def crop_mask(size: Tuple[int, int],
              crop: Union[None, str, Sequence[float]],
              device: Optional[torch.device] = None) -> Optional[Tensor]:
    """Boolean ``(H, W)`` mask of an evaluation crop.

    Args:
        size: ``(H, W)`` of the ground truth.
        crop: ``None``, ``'garg'``, ``'eigen'`` (KITTI), ``'nyu_eigen'`` (NYU, 480x640 only)
            or fractions ``(top, bottom, left, right)``; rows ``int(top*H):int(bottom*H)`` and
            columns ``int(left*W):int(right*W)`` are kept (monodepth2's rounding).
        device: Device of the mask.
    """
    if crop is None:
        return None
    if isinstance(crop, str) and crop in PIXEL_CROPS:
        need, (t, b, l, r) = PIXEL_CROPS[crop]
        if tuple(size) != need:
            raise ValueError(f'crop {crop!r} is defined for ground truth of size {need}, '
                             f'got {tuple(size)}')
        m = torch.zeros(*size, dtype=torch.bool, device=device)
        m[t:b, l:r] = True
        return m
    if isinstance(crop, str):
        if crop not in CROPS:
            raise ValueError(f'crop must be one of {sorted(CROPS) + sorted(PIXEL_CROPS)} or '
                             f'4 fractions, got {crop!r}')
        crop = CROPS[crop]
    if len(crop) != 4:
        raise ValueError(f'crop fractions must be (top, bottom, left, right), got {crop}')
    H, W = size
    t, b, l, r = crop
    m = torch.zeros(H, W, dtype=torch.bool, device=device)
    m[int(t * H):int(b * H), int(l * W):int(r * W)] = True
    return m


def depth_errors(pred: Tensor, target: Tensor) -> Dict[str, float]:
    """The nine DAV2 measures (``metric_depth/util/metric.py`` ``eval_depth``) plus ``abse`` on
    1-D tensors of valid, positive depths of one image.

    ``d_k``: share of ``max(gt/pred, pred/gt) < 1.25^k``; ``abse = mean|p-g|`` (metres, the
    "mean absolute error" of log 001); ``abs_rel = mean(|p-g|/g)``;
    ``sq_rel = mean((p-g)^2/g)``; ``rmse``; ``rmse_log``; ``log10 = mean(|log10 p - log10 g|)``;
    ``silog = sqrt(mean(e^2) - 0.5 mean(e)^2)``, ``e = log p - log g``.
    """
    pred, target = pred.double(), target.double()
    thresh = torch.maximum(target / pred, pred / target)
    diff = pred - target
    dlog = torch.log(pred) - torch.log(target)
    return {
        'd1': (thresh < 1.25).double().mean().item(),
        'd2': (thresh < 1.25 ** 2).double().mean().item(),
        'd3': (thresh < 1.25 ** 3).double().mean().item(),
        'abse': diff.abs().mean().item(),
        'abs_rel': (diff.abs() / target).mean().item(),
        'sq_rel': (diff ** 2 / target).mean().item(),
        'rmse': torch.sqrt((diff ** 2).mean()).item(),
        'rmse_log': torch.sqrt((dlog ** 2).mean()).item(),
        'log10': (torch.log10(pred) - torch.log10(target)).abs().mean().item(),
        'silog': torch.sqrt((dlog ** 2).mean() - 0.5 * dlog.mean() ** 2).item(),
    }
