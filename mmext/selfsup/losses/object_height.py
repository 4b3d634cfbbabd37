"""FUMET's rough scale term: objects of known height fix the metric scale of the depth.

An instance of pixel height ``h_pix`` seen at depth ``D`` has the metric height
``h_pix * D / f_y`` (on a level road); the loss pulls it to the class's prior height ``H``,
``|H - h_pix * D / f_y|``. Instance maps follow :mod:`mmext.selfsup.objects`.
"""
import math
import warnings
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import torch
from torch import Tensor, nn

from mmext.geometry import as_batched_K, pixel_rays
from mmext.registry import MODELS
from mmext.utils.amp import float32
from ..objects import _own_heights, instance_boxes

__all__ = ['object_height_records', 'object_scale_factors', 'frame_scale_factors',
           'fumet_object_height_loss', 'ObjectHeightLoss']

_REDUCTIONS = ('mean', 'median', 'quantile')
_MODES = ('bbox', 'silhouette')
_FORMS = ('per_pixel', 'representative')
_HEIGHT_SOURCES = ('auto', 'instance', 'prior')


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
                          height_mode: str = 'bbox',
                          instance_heights: Optional[Sequence[Optional[Tensor]]] = None
                          ) -> Dict[str, Tensor]:
    """Per-instance heights implied by the predicted depth (see :class:`ObjectHeightLoss`).

    Instances are skipped when they have neither an own height (``instance_heights``, one
    ``(N_b,)`` tensor or ``None`` per image; NaN / <= 0 = unknown) nor a class with a prior,
    when ``keep`` is False, or when they have no pixels. An own height replaces the class
    prior mean (``prior_mean``; ``prior_std`` stays the class's, 0 without a class prior).

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
        own = _own_heights(None if instance_heights is None else instance_heights[b], n)
        boxes, areas = (t.cpu() for t in instance_boxes(instance_map[b], n))
        if height_mode == 'silhouette':
            normal = road_normal[b].to(d)
            if not bool(torch.isfinite(normal).all()):
                normal = level                         # no road seen: assume a level one
        for k in range(n):
            lab = int(labels[k])
            has_prior = 0 <= lab < len(classes) and classes[lab] in height_priors
            if ((not has_prior and not math.isfinite(own[k])) or areas[k] == 0
                    or (keep is not None and not bool(keep[b][k]))):
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
            mean, std = ((float(x) for x in height_priors[classes[lab]]) if has_prior
                         else (math.nan, 0.0))
            if math.isfinite(own[k]):
                mean = own[k]
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


def fumet_object_height_loss(depth: Tensor, K: Tensor, instance_map: Tensor,
                             targets: Sequence[Tensor]) -> Tensor:
    """FUMET's rough metric loss (``compute_rough_metric_loss``), restated.

    For instance ``k`` with mask ``M_k``, pixel height ``h_k = v_max - v_min`` (FUMET's
    ``masks_to_pix_heights``: row extent of the mask, no +1) and metric height ``H_k``:
    ``l_k = sum_{p in M_k} |H_k - h_k D(p) / f_y| / |M_k|``, every mask pixel pulled; the
    loss is ``mean_k l_k / F`` with ``F`` the number of images with at least one used
    instance (FUMET divides the instance mean by its ``n_inst_appear_frames``).

    Args:
        depth: ``(B, 1, H, W)`` or ``(B, H, W)`` depth.
        K: ``(B, 3, 3)`` or ``(3, 3)`` intrinsics (``f_y`` per image; FUMET takes the
            first image's).
        instance_map: ``(B, H, W)`` instance ids (``k + 1`` = instance ``k``).
        targets: One ``(N_b,)`` tensor of heights ``H_k`` per image; NaN = instance not
            used (unknown height, rejected by the filter, ...).

    Returns:
        The scalar loss; 0 (with a graph) when no instance is used.
    """
    d = depth[:, 0] if depth.dim() == 4 else depth
    B = d.shape[0]
    K = as_batched_K(K, B, dtype=d.dtype, device=d.device)
    per_inst, frames = [], 0
    for b in range(B):
        t = torch.as_tensor(targets[b], dtype=d.dtype, device=d.device).reshape(-1)
        used = 0
        for k in range(t.numel()):
            if not bool(torch.isfinite(t[k])):
                continue
            m = instance_map[b] == k + 1
            if not bool(m.any()):
                continue
            rows = m.any(1).nonzero()
            h_pix = float(rows.max() - rows.min())
            per_inst.append((t[k] - h_pix * d[b][m] / K[b, 1, 1]).abs().mean())
            used += 1
        frames += used > 0
    if not per_inst:
        return d.sum() * 0.0
    return torch.stack(per_inst).mean() / frames


@MODELS.register_module()
class ObjectHeightLoss(nn.Module):
    """FUMET's rough metric-scale loss: objects of known height fix the depth's scale.

    ``form='per_pixel'`` (FUMET's code, :func:`fumet_object_height_loss`): every pixel of a
    kept instance's mask is pulled, ``mean_p |H - (v_max - v_min) D(p) / f_y|``, averaged
    over the instances and divided by the number of images with instances.

    ``form='representative'`` (mmext's earlier form, kept as an option): one representative
    depth ``D`` per instance, ``mean_i |H_i - h_i|`` with ``h_i`` the metric height implied
    by ``D``:

    - ``height_mode='bbox'``: ``h_pix * D / f_y`` with the pixel height
      ``h_pix = v_max - v_min + 1`` of the instance mask;
    - ``height_mode='silhouette'``: the mask's pixels are placed on a fronto-parallel wall at
      depth ``D`` (``X_i = D K^-1 (u_i, v_i, 1)``) and measured along the road's up normal
      ``n``: ``max_i n.X_i - min_i n.X_i``, taken over the pixels' footprints (centre +-0.5
      px, which adds ``D (|a| + |b|)`` with ``n.K^-1(u, v, 1) = a u + b v + c``) so that a
      level road gives exactly the ``bbox`` height. Images with a NaN normal use a level
      road.

    ``D`` reduces the instance's predicted depths by their ``mean``, ``median`` or
    ``quantile`` (the first quartile by default: the near side of the object). The
    representative settings also drive the per-object scale factors
    (:meth:`scale_factors`) used by the ``frame`` target and the hook's evidence.

    ``H`` is the instance's own height when the mask file gives one (FUMET reads
    per-instance heights from its data files; log 002 moved from class means to a learned
    per-instance height estimator), else its class's prior mean (``height_source``).

    Args:
        height_priors: Class name -> ``(mean, std)`` height in metres.
        classes: Class names indexed by ``instance_labels``.
        form: ``'per_pixel'`` (FUMET) or ``'representative'``.
        height_source: ``'auto'`` (own height where given, else the class prior; warns once
            when it falls back to priors), ``'instance'`` (own heights only: instances
            without one are not used, and a batch with instances but no heights at all
            raises) or ``'prior'`` (class means only, ignoring the files' heights).
        depth_reduction: ``'mean'``, ``'median'`` or ``'quantile'`` (representative form).
        quantile: Quantile for ``depth_reduction='quantile'``.
        height_mode: ``'bbox'`` or ``'silhouette'`` (needs ``road_normal``).
        normalize_by_std: Divide each residual by the class's prior std (representative).
        target: ``'instance'`` (the rough term above, on the objects' own depths) or
            ``'frame'`` (the log's first form: the objects' median scale factor ``s`` turns
            the whole prediction into a pseudo label ``s * D`` (detached), and the loss is
            ``mean |log D - log(s D)|`` over every pixel of the image -- a pure global
            rescaling that cannot bend objects away from the road they stand on).
        evidence_reduction: Depth reduction of the per-object scale factors
            (:meth:`scale_factors`: the outlier-free camera-height evidence and the
            ``frame`` target); ``None``: ``depth_reduction``. Log 002 (L2172-2182): the
            instances that may carry the rough loss and those that may give the camera
            height differ -- the first quartile of a car's depth lies on its near side where
            the depth-height relation does not hold, which pushed the camera height up as
            training went on; the loss and the evidence can take different representatives
            (e.g. ``'median'`` for the evidence, as the log did following DESC).
        evidence_quantile: Quantile for ``evidence_reduction='quantile'``.
        loss_weight: Multiplier of the loss (FUMET: ``--rough_metric_weight`` 1.0).
        loss_name: Key of the loss in the loss dict.
    """

    def __init__(self, height_priors: Mapping[str, Tuple[float, float]],
                 classes: Sequence[str], form: str = 'per_pixel',
                 height_source: str = 'auto', depth_reduction: str = 'quantile',
                 quantile: float = 0.25, height_mode: str = 'bbox',
                 normalize_by_std: bool = False, target: str = 'instance',
                 evidence_reduction: Optional[str] = None, evidence_quantile: float = 0.25,
                 loss_weight: float = 1.0, loss_name: str = 'loss_object_height') -> None:
        super().__init__()
        if evidence_reduction is not None and evidence_reduction not in _REDUCTIONS:
            raise ValueError(f'evidence_reduction must be None or one of {_REDUCTIONS}, got '
                             f'{evidence_reduction!r}')
        self.evidence_reduction = evidence_reduction
        self.evidence_quantile = evidence_quantile
        if target not in ('instance', 'frame'):
            raise ValueError(f"target must be 'instance' or 'frame', got {target!r}")
        if form not in _FORMS:
            raise ValueError(f'ObjectHeightLoss form must be one of {_FORMS}, got {form!r}')
        if height_source not in _HEIGHT_SOURCES:
            raise ValueError(f'height_source must be one of {_HEIGHT_SOURCES}, '
                             f'got {height_source!r}')
        self.target, self.form, self.height_source = target, form, height_source
        self._warned_priors = False
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

    def own_heights(self, instance_heights: Optional[Sequence[Optional[Tensor]]],
                    batch_size: int) -> Optional[List[Optional[Tensor]]]:
        """The per-instance heights this loss uses under ``height_source`` (``None``: none)."""
        if self.height_source == 'prior' or instance_heights is None:
            return None
        return list(instance_heights)

    def instance_targets(self, instance_labels: Sequence[Tensor],
                         instance_heights: Optional[Sequence[Optional[Tensor]]] = None,
                         keep: Optional[Sequence[Tensor]] = None) -> List[Tensor]:
        """Per image, the ``(N_b,)`` heights ``H`` of the used instances (NaN = not used)."""
        own_all = self.own_heights(instance_heights, len(instance_labels))
        out, fell_back_any = [], False
        for b, labels in enumerate(instance_labels):
            labels = torch.as_tensor(labels).long().cpu()
            n = labels.numel()
            given = own_all is not None and own_all[b] is not None
            if self.height_source == 'instance' and n and not given:
                raise ValueError(
                    "ObjectHeightLoss(height_source='instance'): an image has instances "
                    "but no 'heights' in its mask file (format: mmext/selfsup/datasets/"
                    'road_masks.py; tools/dataset_converters/export_instance_heights.py '
                    'writes them)')
            own = _own_heights(own_all[b] if given else None, n)
            t = []
            for k in range(n):
                lab = int(labels[k])
                h = math.nan
                if math.isfinite(own[k]):
                    h = own[k]
                elif (self.height_source != 'instance' and 0 <= lab < len(self.classes)
                      and self.classes[lab] in self.height_priors):
                    h = self.height_priors[self.classes[lab]][0]
                    fell_back_any |= self.height_source == 'auto'
                if keep is not None and not bool(keep[b][k]):
                    h = math.nan
                t.append(h)
            out.append(torch.tensor(t, dtype=torch.float64))
        if fell_back_any and not self._warned_priors:
            self._warned_priors = True
            warnings.warn('ObjectHeightLoss: instances without their own height use the '
                          "class-mean priors (log 002 rejected these; FUMET reads per-"
                          "instance heights from its mask files). Add 'heights' to the mask "
                          "files or set height_source='instance'.", UserWarning)
        return out

    def records(self, depth: Tensor, K: Tensor, instance_map: Tensor,
                instance_labels: Sequence[Tensor], keep: Optional[Sequence[Tensor]] = None,
                road_normal: Optional[Tensor] = None,
                instance_heights: Optional[Sequence[Optional[Tensor]]] = None,
                evidence: bool = False) -> Dict[str, Tensor]:
        """:func:`object_height_records` with this loss's settings (``evidence``: with the
        evidence representative depth)."""
        priors = {} if self.height_source == 'instance' else self.height_priors
        reduction, q = self.depth_reduction, self.quantile
        if evidence and self.evidence_reduction is not None:
            reduction, q = self.evidence_reduction, self.evidence_quantile
        return object_height_records(depth, K, instance_map, instance_labels, self.classes,
                                     priors, keep, road_normal, reduction, q,
                                     self.height_mode,
                                     self.own_heights(instance_heights, depth.shape[0]))

    def scale_factors(self, depth: Tensor, K: Tensor, instance_map: Tensor,
                      instance_labels: Sequence[Tensor],
                      keep: Optional[Sequence[Tensor]] = None,
                      road_normal: Optional[Tensor] = None,
                      instance_heights: Optional[Sequence[Optional[Tensor]]] = None
                      ) -> List[Tensor]:
        """Per-instance scales :func:`object_scale_factors`, split by image.

        Returns:
            One ``(n_b,)`` tensor per image with the factors of its used instances (in
            instance order; empty when none). :func:`frame_scale_factors` gives the
            per-image medians directly.
        """
        with torch.no_grad():
            rec = self.records(depth, K, instance_map, instance_labels, keep, road_normal,
                               instance_heights, evidence=True)
        s = object_scale_factors(rec)
        return [s[rec['batch_idx'] == b] for b in range(depth.shape[0])]

    @float32
    def forward(self, depth: Tensor, K: Tensor, instance_map: Tensor,
                instance_labels: Sequence[Tensor], keep: Optional[Sequence[Tensor]] = None,
                road_normal: Optional[Tensor] = None,
                instance_heights: Optional[Sequence[Optional[Tensor]]] = None) -> Tensor:
        """Loss for ``(B, 1, H, W)`` depth, ``(B, 3, 3)`` intrinsics, a ``(B, H, W)`` int64
        instance map with one ``(N_b,)`` label tensor per image (and optionally the abnormal
        filter's ``keep`` masks, the ``(B, 3)`` road normals and per-instance heights). 0
        (with a graph) when no instance is used."""
        if self.target == 'frame':
            return self.loss_weight * self._frame_loss(depth, K, instance_map,
                                                       instance_labels, keep, road_normal,
                                                       instance_heights)
        if self.form == 'per_pixel':
            targets = self.instance_targets(instance_labels, instance_heights, keep)
            return self.loss_weight * fumet_object_height_loss(depth, K, instance_map,
                                                               targets)
        rec = self.records(depth, K, instance_map, instance_labels, keep, road_normal,
                           instance_heights)
        if rec['metric_height'].numel() == 0:
            return depth.sum() * 0.0
        res = (rec['prior_mean'] - rec['metric_height']).abs()
        if self.normalize_by_std:
            res = res / rec['prior_std'].clamp_min(1e-6)
        return self.loss_weight * res.mean()

    def _frame_loss(self, depth: Tensor, K: Tensor, instance_map: Tensor,
                    instance_labels: Sequence[Tensor], keep: Optional[Sequence[Tensor]],
                    road_normal: Optional[Tensor],
                    instance_heights: Optional[Sequence[Optional[Tensor]]] = None) -> Tensor:
        """``mean |log D - log(s_b D)|`` per image with kept objects, averaged over those."""
        d = depth[:, 0] if depth.dim() == 4 else depth
        factors = self.scale_factors(depth, K, instance_map, instance_labels, keep, road_normal,
                                     instance_heights)
        losses = []
        for b, f in enumerate(factors):
            f = f[torch.isfinite(f) & (f > 0)]
            if f.numel() == 0:
                continue
            log_d = torch.log(d[b].clamp_min(1e-6))
            pseudo = (log_d + torch.log(f.median())).detach()
            losses.append((log_d - pseudo).abs().mean())
        return torch.stack(losses).mean() if losses else depth.sum() * 0.0
