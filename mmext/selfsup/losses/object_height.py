"""FUMET's rough scale term: objects of known height fix the metric scale of the depth.

An instance of pixel height ``h_pix`` seen at depth ``D`` has the metric height
``h_pix * D / f_y`` (on a level road); the loss pulls it to the class's prior height ``H``,
``|H - h_pix * D / f_y|``. Instance maps follow :mod:`mmext.selfsup.objects`.
"""
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import torch
from torch import Tensor, nn

from mmext.geometry import as_batched_K, pixel_rays
from mmext.registry import MODELS
from mmext.utils.amp import float32
from ..objects import instance_boxes

__all__ = ['object_height_records', 'object_scale_factors', 'frame_scale_factors',
           'ObjectHeightLoss']

_REDUCTIONS = ('mean', 'median', 'quantile')
_MODES = ('bbox', 'silhouette')


def _silhouette_extent(rays: Tensor, K: Tensor, normal: Tensor) -> Tensor:
    """Extent along ``normal`` of the pixel footprints of rays ``(P, 3)`` at unit depth."""
    s = rays @ normal
    fx, fy, skew = K[0, 0], K[1, 1], K[0, 1]
    # n . K^-1 (u, v, 1) is linear in (u, v) with these coefficients; a pixel's footprint
    # (+-0.5) adds |a| + |b| to the extent of the pixel centres.
    a = normal[0] / fx
    b = (normal[1] - normal[0] * skew / fx) / fy
    return s.max() - s.min() + a.abs() + b.abs()


@float32
def object_height_records(depth: Tensor, K: Tensor, instance_map: Tensor,
                          instance_labels: Sequence[Tensor], classes: Sequence[str],
                          height_priors: Mapping[str, Sequence[float]],
                          keep: Optional[Sequence[Tensor]] = None,
                          road_normal: Optional[Tensor] = None,
                          depth_reduction: str = 'quantile', quantile: float = 0.25,
                          height_mode: str = 'bbox') -> Dict[str, Tensor]:
    """Per-instance heights implied by the predicted depth (see :class:`ObjectHeightLoss`).

    Instances are skipped when their label is -1 / has no prior, ``keep`` is False, or they
    have no pixels.

    Returns:
        Dict of ``(N,)`` tensors over the used instances of the batch: ``batch_idx``,
        ``instance_idx`` (``k`` of instance id ``k + 1``), ``label`` (int64),
        ``pixel_height`` (``v_max - v_min + 1``), ``depth`` (the representative depth ``D``,
        differentiable), ``metric_height`` (implied metric height, differentiable),
        ``prior_mean`` and ``prior_std``.
    """
    if depth_reduction not in _REDUCTIONS:
        raise ValueError(f'depth_reduction must be one of {_REDUCTIONS}, got {depth_reduction!r}')
    if height_mode not in _MODES:
        raise ValueError(f'height_mode must be one of {_MODES}, got {height_mode!r}')
    d = depth[:, 0] if depth.dim() == 4 else depth
    if d.dim() != 3 or instance_map.shape != d.shape:
        raise ValueError(f'depth {tuple(depth.shape)} and instance_map '
                         f'{tuple(instance_map.shape)} must be (B, [1,] H, W) / (B, H, W)')
    B, H, W = d.shape
    if len(instance_labels) != B or (keep is not None and len(keep) != B):
        raise ValueError(f'need one label (and keep) tensor per image ({B})')
    K = as_batched_K(K, B, dtype=d.dtype, device=d.device)
    if height_mode == 'silhouette':
        if road_normal is None:
            raise ValueError("height_mode='silhouette' needs road_normal")
        rays = pixel_rays(K, (H, W))
        level = d.new_tensor([0., -1., 0.])
    rec: Dict[str, List] = {k: [] for k in ('batch_idx', 'instance_idx', 'label',
                                            'pixel_height', 'depth', 'metric_height',
                                            'prior_mean', 'prior_std')}
    for b in range(B):
        labels = torch.as_tensor(instance_labels[b]).long().cpu()
        n = labels.numel()
        if n == 0:
            continue
        boxes, areas = (t.cpu() for t in instance_boxes(instance_map[b], n))
        if height_mode == 'silhouette':
            normal = road_normal[b].to(d)
            if not bool(torch.isfinite(normal).all()):
                normal = level                         # no road seen: assume a level one
        for k in range(n):
            lab = int(labels[k])
            if (lab < 0 or lab >= len(classes) or classes[lab] not in height_priors
                    or areas[k] == 0 or (keep is not None and not bool(keep[b][k]))):
                continue
            mask = instance_map[b] == k + 1
            vals = d[b][mask]
            if depth_reduction == 'mean':
                D = vals.mean()
            elif depth_reduction == 'median':
                D = vals.median()
            else:
                D = torch.quantile(vals, quantile)
            h_pix = float(boxes[k, 3] - boxes[k, 1] + 1)
            if height_mode == 'bbox':
                metric = h_pix * D / K[b, 1, 1]
            else:
                metric = D * _silhouette_extent(rays[b][mask], K[b], normal)
            mean, std = (float(x) for x in height_priors[classes[lab]])
            for key, val in (('batch_idx', b), ('instance_idx', k), ('label', lab),
                             ('pixel_height', h_pix), ('depth', D), ('metric_height', metric),
                             ('prior_mean', mean), ('prior_std', std)):
                rec[key].append(val)
    out = {}
    for key, vals in rec.items():
        if key in ('depth', 'metric_height'):
            out[key] = torch.stack(vals) if vals else d.new_zeros(0)
        elif key in ('batch_idx', 'instance_idx', 'label'):
            out[key] = torch.tensor(vals, dtype=torch.long, device=d.device)
        else:
            out[key] = torch.tensor(vals, dtype=d.dtype, device=d.device)
    return out


def object_scale_factors(records: Dict[str, Tensor]) -> Tensor:
    """Per-instance scale ``s = H_prior / metric_height`` (detached).

    In ``bbox`` mode this is ``(f_y H_prior / h_pix) / D``: the metric depth the object
    should have over the depth predicted for it.
    """
    return records['prior_mean'] / records['metric_height'].detach()


def frame_scale_factors(records: Dict[str, Tensor], batch_size: int) -> Tensor:
    """Per-image median of :func:`object_scale_factors` (``(B,)``, NaN without instances)."""
    s = object_scale_factors(records)
    out = s.new_full((batch_size, ), float('nan'))
    for b in range(batch_size):
        sel = records['batch_idx'] == b
        if sel.any():
            out[b] = s[sel].median()
    return out


@MODELS.register_module()
class ObjectHeightLoss(nn.Module):
    """FUMET's rough metric-scale loss ``mean_i |H_i - h_i|`` over the kept instances.

    ``H_i`` is the prior mean height of instance ``i``'s class and ``h_i`` the metric height
    implied by the predicted depth:

    - ``height_mode='bbox'``: ``h_pix * D / f_y`` with the pixel height
      ``h_pix = v_max - v_min + 1`` of the instance mask and ``D`` its representative depth;
    - ``height_mode='silhouette'``: the mask's pixels are placed on a fronto-parallel wall at
      depth ``D`` (``X_i = D K^-1 (u_i, v_i, 1)``) and measured along the road's up normal
      ``n``: ``max_i n.X_i - min_i n.X_i``, taken over the pixels' footprints (centre +-0.5
      px, which adds ``D (|a| + |b|)`` with ``n.K^-1(u, v, 1) = a u + b v + c``) so that a
      level road gives exactly the ``bbox`` height. Images with a NaN normal use a level
      road.

    ``D`` reduces the instance's predicted depths by their ``mean``, ``median`` or
    ``quantile`` (default the first quartile, as the seed: the near side of the object).

    Args:
        height_priors: Class name -> ``(mean, std)`` height in metres.
        classes: Class names indexed by ``instance_labels``.
        depth_reduction: ``'mean'``, ``'median'`` or ``'quantile'``.
        quantile: Quantile for ``depth_reduction='quantile'``.
        height_mode: ``'bbox'`` or ``'silhouette'`` (needs ``road_normal``).
        normalize_by_std: Divide each residual by the class's prior std.
        target: ``'instance'`` (FUMET's rough term above, on the objects' own depths) or
            ``'frame'`` (the log's first form: the objects' median scale factor ``s`` turns
            the whole prediction into a pseudo label ``s * D`` (detached), and the loss is
            ``mean |log D - log(s D)|`` over every pixel of the image -- a pure global
            rescaling that cannot bend objects away from the road they stand on).
        loss_weight: Multiplier of the loss.
        loss_name: Key of the loss in the loss dict.
    """

    def __init__(self, height_priors: Mapping[str, Tuple[float, float]],
                 classes: Sequence[str], depth_reduction: str = 'quantile',
                 quantile: float = 0.25, height_mode: str = 'bbox',
                 normalize_by_std: bool = False, target: str = 'instance',
                 loss_weight: float = 1.0, loss_name: str = 'loss_object_height') -> None:
        super().__init__()
        if target not in ('instance', 'frame'):
            raise ValueError(f"target must be 'instance' or 'frame', got {target!r}")
        self.target = target
        if depth_reduction not in _REDUCTIONS:
            raise ValueError(f'depth_reduction must be one of {_REDUCTIONS}, '
                             f'got {depth_reduction!r}')
        if height_mode not in _MODES:
            raise ValueError(f'height_mode must be one of {_MODES}, got {height_mode!r}')
        if not 0.0 <= quantile <= 1.0:
            raise ValueError(f'quantile must be in [0, 1], got {quantile}')
        self.height_priors = {k: (float(v[0]), float(v[1])) for k, v in height_priors.items()}
        self.classes = list(classes)
        self.depth_reduction, self.quantile, self.height_mode = (depth_reduction, quantile,
                                                                 height_mode)
        self.normalize_by_std = normalize_by_std
        self.loss_weight, self.loss_name = loss_weight, loss_name

    def records(self, depth: Tensor, K: Tensor, instance_map: Tensor,
                instance_labels: Sequence[Tensor], keep: Optional[Sequence[Tensor]] = None,
                road_normal: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """:func:`object_height_records` with this loss's settings."""
        return object_height_records(depth, K, instance_map, instance_labels, self.classes,
                                     self.height_priors, keep, road_normal,
                                     self.depth_reduction, self.quantile, self.height_mode)

    def scale_factors(self, depth: Tensor, K: Tensor, instance_map: Tensor,
                      instance_labels: Sequence[Tensor],
                      keep: Optional[Sequence[Tensor]] = None,
                      road_normal: Optional[Tensor] = None) -> List[Tensor]:
        """Per-instance scales :func:`object_scale_factors`, split by image.

        Returns:
            One ``(n_b,)`` tensor per image with the factors of its used instances (in
            instance order; empty when none). :func:`frame_scale_factors` gives the
            per-image medians directly.
        """
        with torch.no_grad():
            rec = self.records(depth, K, instance_map, instance_labels, keep, road_normal)
        s = object_scale_factors(rec)
        return [s[rec['batch_idx'] == b] for b in range(depth.shape[0])]

    @float32
    def forward(self, depth: Tensor, K: Tensor, instance_map: Tensor,
                instance_labels: Sequence[Tensor], keep: Optional[Sequence[Tensor]] = None,
                road_normal: Optional[Tensor] = None) -> Tensor:
        """Loss for ``(B, 1, H, W)`` depth, ``(B, 3, 3)`` intrinsics, a ``(B, H, W)`` int64
        instance map with one ``(N_b,)`` label tensor per image (and optionally the abnormal
        filter's ``keep`` masks and the ``(B, 3)`` road normals). 0 (with a graph) when no
        instance is used."""
        if self.target == 'frame':
            return self.loss_weight * self._frame_loss(depth, K, instance_map,
                                                       instance_labels, keep, road_normal)
        rec = self.records(depth, K, instance_map, instance_labels, keep, road_normal)
        if rec['metric_height'].numel() == 0:
            return depth.sum() * 0.0
        res = (rec['prior_mean'] - rec['metric_height']).abs()
        if self.normalize_by_std:
            res = res / rec['prior_std'].clamp_min(1e-6)
        return self.loss_weight * res.mean()

    def _frame_loss(self, depth: Tensor, K: Tensor, instance_map: Tensor,
                    instance_labels: Sequence[Tensor], keep: Optional[Sequence[Tensor]],
                    road_normal: Optional[Tensor]) -> Tensor:
        """``mean |log D - log(s_b D)|`` per image with kept objects, averaged over those."""
        d = depth[:, 0] if depth.dim() == 4 else depth
        factors = self.scale_factors(depth, K, instance_map, instance_labels, keep, road_normal)
        losses = []
        for b, f in enumerate(factors):
            f = f[torch.isfinite(f) & (f > 0)]
            if f.numel() == 0:
                continue
            log_d = torch.log(d[b].clamp_min(1e-6))
            pseudo = (log_d + torch.log(f.median())).detach()
            losses.append((log_d - pseudo).abs().mean())
        return torch.stack(losses).mean() if losses else depth.sum() * 0.0
