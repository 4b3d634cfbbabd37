"""Instance boxes and FUMET's abnormal-object filter for the object-height scale prior.

An instance map is an int64 ``(H, W)`` (or ``(B, H, W)``) image whose pixel value ``k + 1``
marks instance ``k`` of the image (0 = background); ``instance_labels[b][k]`` is that
instance's class index into ``classes`` (-1 = unknown). Boxes use pixel-centre coordinates
``(u_min, v_min, u_max, v_max)`` (inclusive); the silhouette's edges are half a pixel further
out, so its pixel height is ``v_max - v_min + 1``.
"""
import math
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor

from mmext.geometry import as_batched_K, horizon_row

__all__ = ['instance_boxes', 'instance_reasons', 'filter_instances', 'fumet_outlier_keep',
           'FILTER_REASONS']

#: Rejection reasons of :func:`filter_instances`, in the order they are tested.
FILTER_REASONS = ('unknown', 'truncated', 'tiny', 'not_on_road', 'height_outlier')


def instance_boxes(instance_map: Tensor, n: int) -> Tuple[Tensor, Tensor]:
    """Bounding boxes and areas of instances ``1..n`` of one instance map.

    Args:
        instance_map: ``(H, W)`` integer map (0 = background, ``k + 1`` = instance ``k``).
        n: Number of instances (ids above ``n`` are ignored).

    Returns:
        ``(boxes, areas)``: ``(n, 4)`` int64 ``(u_min, v_min, u_max, v_max)`` (all -1 for an
        instance without pixels) and ``(n,)`` int64 pixel counts.
    """
    if instance_map.dim() != 2:
        raise ValueError(f'instance_map must be (H, W), got {tuple(instance_map.shape)}')
    H, W = instance_map.shape
    dev = instance_map.device
    ids = instance_map.reshape(-1).long()
    sel = (ids >= 1) & (ids <= n)
    idx = ids[sel] - 1
    v = torch.arange(H, device=dev).view(H, 1).expand(H, W).reshape(-1)[sel]
    u = torch.arange(W, device=dev).view(1, W).expand(H, W).reshape(-1)[sel]
    areas = torch.bincount(idx, minlength=n)[:n]
    zero = torch.zeros(n, dtype=torch.long, device=dev)
    boxes = torch.stack([zero.scatter_reduce(0, idx, u, 'amin', include_self=False),
                         zero.scatter_reduce(0, idx, v, 'amin', include_self=False),
                         zero.scatter_reduce(0, idx, u, 'amax', include_self=False),
                         zero.scatter_reduce(0, idx, v, 'amax', include_self=False)], 1)
    boxes[areas == 0] = -1
    return boxes, areas


def _per_image(x, batch: int, shape: Tuple[int, ...]) -> List[Optional[Tensor]]:
    """``None`` / one value / one value per image -> a list of ``batch`` float64 tensors."""
    if x is None:
        return [None] * batch
    x = torch.as_tensor(x, dtype=torch.float64)
    if x.shape == shape:
        return [x] * batch
    if x.shape != (batch, ) + shape:
        raise ValueError(f'expected {shape} or {(batch, ) + shape}, got {tuple(x.shape)}')
    return list(x)


def _own_heights(heights: Optional[Tensor], n: int) -> List[float]:
    """Per-instance heights of one image as floats (NaN where unknown / not given)."""
    if heights is None:
        return [math.nan] * n
    h = torch.as_tensor(heights, dtype=torch.float64).reshape(-1).cpu()
    if h.numel() != n:
        raise ValueError(f'{h.numel()} instance heights for {n} instances')
    return [float(x) if float(x) > 0 else math.nan for x in h]


def instance_reasons(instance_map: Tensor, instance_labels: Union[Tensor, Sequence[Tensor]],
                     classes: Sequence[str], height_priors: Mapping[str, Sequence[float]], *,
                     road_normal: Optional[Tensor] = None, K: Optional[Tensor] = None,
                     camera_height: Union[float, Tensor, None] = None, min_area: int = 50,
                     border_margin: int = 1, max_rel_error: float = 0.2,
                     height_reference: str = 'camera_height',
                     instance_heights: Optional[Sequence[Optional[Tensor]]] = None
                     ) -> List[List[str]]:
    """Per instance, ``'kept'`` or the first failed criterion of :func:`filter_instances`.

    Takes the arguments of :func:`filter_instances`; returns one list of strings per image.
    """
    if height_reference not in ('camera_height', 'consensus'):
        raise ValueError(f"height_reference must be 'camera_height' or 'consensus', got "
                         f'{height_reference!r}')
    consensus = height_reference == 'consensus'
    imaps = instance_map.unsqueeze(0) if instance_map.dim() == 2 else instance_map
    if imaps.dim() != 3:
        raise ValueError(f'instance_map must be (H, W) or (B, H, W), got '
                         f'{tuple(instance_map.shape)}')
    B, H, W = imaps.shape
    if isinstance(instance_labels, Tensor) and instance_labels.dim() == 1:
        instance_labels = [instance_labels]
    if len(instance_labels) != B:
        raise ValueError(f'{len(instance_labels)} label tensors for {B} instance maps')
    normals = _per_image(road_normal, B, (3, ))
    Ks = [None] * B if K is None else list(as_batched_K(K, B, dtype=torch.float64))
    cam_h = _per_image(camera_height, B, ())
    if instance_heights is None:
        instance_heights = [None] * B
    if len(instance_heights) != B:
        raise ValueError(f'{len(instance_heights)} instance-height tensors for {B} images')
    out = []
    for b in range(B):
        labels = torch.as_tensor(instance_labels[b]).long().cpu()
        n = labels.numel()
        boxes, areas = instance_boxes(imaps[b], n)
        boxes, areas = boxes.cpu().double(), areas.cpu()
        reasons = ['kept'] * n
        own = _own_heights(instance_heights[b], n)
        for k in range(n):
            lab = int(labels[k])
            if not math.isfinite(own[k]) and (lab < 0 or lab >= len(classes)
                                              or classes[lab] not in height_priors):
                reasons[k] = 'unknown'
            elif areas[k] > 0 and border_margin > 0 and (
                    boxes[k, 0] < border_margin or boxes[k, 2] > W - 1 - border_margin
                    or boxes[k, 3] > H - 1 - border_margin):
                reasons[k] = 'truncated'
            elif areas[k] < min_area or areas[k] == 0:
                reasons[k] = 'tiny'
        todo = [k for k in range(n) if reasons[k] == 'kept']
        have_h = consensus or (cam_h[b] is not None and bool(torch.isfinite(cam_h[b])))
        usable = (todo and normals[b] is not None and Ks[b] is not None and have_h
                  and bool(torch.isfinite(normals[b]).all()))
        if not usable:
            out.append(reasons)
            continue
        sel = torch.tensor(todo)
        box = boxes[sel]
        v_top, v_bottom = box[:, 1] - 0.5, box[:, 3] + 0.5
        u_centre = (box[:, 0] + box[:, 2]) / 2
        v_hor = horizon_row(normals[b].expand(len(todo), 3), Ks[b].cpu(), u=u_centre)
        implied = (1.0 if consensus else cam_h[b]) * (v_bottom - v_top) / (v_bottom - v_hor)
        priors = torch.tensor([own[k] if math.isfinite(own[k]) else
                               float(height_priors[classes[int(labels[k])]][0]) for k in todo],
                              dtype=torch.float64)
        ratio = implied / priors
        on_road = v_bottom > v_hor                          # also catches a NaN horizon
        ref = 1.0
        if consensus:
            ref = float(ratio[on_road].median()) if int(on_road.sum()) >= 2 else math.nan
        for j, k in enumerate(todo):
            if not bool(on_road[j]):
                reasons[k] = 'not_on_road'
            elif math.isfinite(ref) and abs(float(ratio[j]) / ref - 1) > max_rel_error:
                reasons[k] = 'height_outlier'
        out.append(reasons)
    return out


def filter_instances(instance_map: Tensor, instance_labels: Union[Tensor, Sequence[Tensor]],
                     classes: Sequence[str], height_priors: Mapping[str, Sequence[float]], *,
                     road_normal: Optional[Tensor] = None, K: Optional[Tensor] = None,
                     camera_height: Union[float, Tensor, None] = None, min_area: int = 50,
                     border_margin: int = 1, max_rel_error: float = 0.2,
                     height_reference: str = 'camera_height',
                     instance_heights: Optional[Sequence[Optional[Tensor]]] = None
                     ) -> Tuple[List[Tensor], Dict[str, int]]:
    """FUMET's abnormal-object filter: which instances may serve as height priors.

    Criteria, tested in this order (an instance is counted under the first it fails):

    - ``unknown``: no own height (``instance_heights``) and a label -1, outside ``classes``,
      or a class without a height prior;
    - ``truncated``: the box is within ``border_margin`` pixels of the left, right or bottom
      image border (``border_margin=1``: touching it; 0 disables the test);
    - ``tiny``: fewer than ``min_area`` pixels (at the map's resolution);
    - only when ``camera_height``, ``road_normal`` and ``K`` are given (and finite) for the
      image: ``not_on_road`` when the silhouette's bottom edge (``v_max + 0.5``) is not below
      the road's horizon ``v_h`` (:func:`~mmext.geometry.horizon_row` at the box's centre
      column), and ``height_outlier`` when the height implied by the horizon and the camera
      height, ``camera_height * (v_bottom - v_top) / (v_bottom - v_h)`` with
      ``v_top = v_min - 0.5``, differs from the class's prior mean by more than
      ``max_rel_error`` of that mean. With ``height_reference='consensus'`` the camera
      height is not needed: each candidate's ratio implied / prior (at any camera height)
      is compared with the median ratio of the image's candidates (at least two), so a
      wrong camera-height estimate cannot reject every object (a wrong target otherwise
      removes all objects, and with them the evidence that would correct it).

    Args:
        instance_map: ``(H, W)`` or ``(B, H, W)`` instance map (see the module docstring).
        instance_labels: ``(N,)`` class indices (single map) or one such tensor per image.
        classes: Class names indexed by the labels.
        height_priors: Class name -> ``(mean, std)`` height in metres.
        road_normal: ``(3,)`` or ``(B, 3)`` road up-normal (e.g. ``road_heights``' normal).
        K: ``(3, 3)`` or ``(B, 3, 3)`` intrinsics at the map's resolution.
        camera_height: Camera height above the road in metres (a float or ``(B,)``).
        min_area: Minimum instance area in pixels.
        border_margin: Border distance (pixels) below which an instance is truncated.
        max_rel_error: Largest allowed relative error of the implied height.
        height_reference: ``'camera_height'`` (FUMET: against the priors at the given camera
            height) or ``'consensus'`` (against the image's median, see above).
        instance_heights: Optional per-image ``(N_b,)`` per-instance heights (metres; NaN or
            <= 0 = unknown) from the mask files. A known height replaces the class prior
            in the height test, and an instance with one is never ``unknown`` (FUMET reads
            per-instance heights from its data files).

    Returns:
        ``(keep, counts)``: one bool ``(N_b,)`` tensor per image (on the labels' device) and
        the number of instances that are ``total``, ``kept`` or rejected for each reason.
    """
    reasons = instance_reasons(instance_map, instance_labels, classes, height_priors,
                               road_normal=road_normal, K=K, camera_height=camera_height,
                               min_area=min_area, border_margin=border_margin,
                               max_rel_error=max_rel_error,
                               height_reference=height_reference,
                               instance_heights=instance_heights)
    if isinstance(instance_labels, Tensor) and instance_labels.dim() == 1:
        instance_labels = [instance_labels]
    keep = [torch.tensor([r == 'kept' for r in rs], dtype=torch.bool,
                         device=torch.as_tensor(labels).device)
            for rs, labels in zip(reasons, instance_labels)]
    flat = [r for rs in reasons for r in rs]
    counts = dict(total=len(flat), kept=flat.count('kept'))
    counts.update({r: flat.count(r) for r in FILTER_REASONS})
    return keep, counts


def fumet_outlier_keep(points: Tensor, road_mask: Tensor, instance_map: Tensor,
                       targets: Sequence[Tensor], K: Tensor, camera_height: float,
                       max_rel_error: float = 0.2, return_ratios: bool = False):
    """FUMET's ``--remove_outliers`` test (``compute_losses`` of its trainer), restated.

    Per image: the road plane ``n . X = 1`` fitted to the road points by least squares
    (``pinv``, FUMET's ``cam_pts2normal``), its horizon line ``l = K^-T n`` in pixels, and for
    each instance the signed distances ``d`` of its mask pixels to that line (positive above
    it); with ``top = max d`` and ``bottom = min d`` the horizon-implied height is
    ``camera_height * (|bottom| + top + 1) / |bottom|`` (an instance entirely above the
    horizon gets a ratio of 10000, i.e. it is dropped). Instances whose implied height is
    off by ``max_rel_error`` or more of their height ``H`` are dropped.

    Args:
        points: ``(B, H, W, 3)`` predicted camera-frame points (detached).
        road_mask: ``(B, H, W)`` road pixels.
        instance_map: ``(B, H, W)`` instance ids.
        targets: Per image ``(N_b,)`` heights ``H`` (NaN: not tested, kept as is).
        K: ``(B, 3, 3)`` intrinsics.
        camera_height: The current camera-height target.
        max_rel_error: FUMET's ``--outlier_relative_error_th``.

    Returns:
        One bool ``(N_b,)`` tensor per image: False for the outliers (with
        ``return_ratios``, also one float64 ``(N_b,)`` tensor of the ratios per image, NaN
        where not tested).
    """
    B, H, W = instance_map.shape
    K = as_batched_K(K, B, dtype=torch.float64, device=points.device)
    v, u = torch.meshgrid(torch.arange(H, dtype=torch.float64, device=points.device),
                          torch.arange(W, dtype=torch.float64, device=points.device),
                          indexing='ij')
    out, all_ratios = [], []
    for b in range(B):
        t = torch.as_tensor(targets[b], dtype=torch.float64).reshape(-1)
        keep = torch.ones(t.numel(), dtype=torch.bool)
        ratios = torch.full((t.numel(), ), float('nan'), dtype=torch.float64)
        all_ratios.append(ratios)
        road_pts = points[b][road_mask[b].bool()].double()
        if road_pts.shape[0] < 3 or t.numel() == 0:
            out.append(keep)
            continue
        n = torch.linalg.pinv(road_pts) @ torch.ones(road_pts.shape[0], 1, dtype=torch.float64,
                                                     device=road_pts.device)
        n = n[:, 0] / n.norm()
        a, bb, c = torch.linalg.inv(K[b]).T @ n
        # FUMET's cross-product distance: -sign(b) (a u + b v + c) / |(a, b)|, > 0 above
        dist = -torch.sign(bb) * (a * u + bb * v + c) / torch.sqrt(a * a + bb * bb)
        for k in range(t.numel()):
            m = instance_map[b] == k + 1
            if not bool(torch.isfinite(t[k])) or not bool(m.any()):
                continue
            d = dist[m]
            top, bottom = d.max(), d.min()
            ratio = (bottom.abs() + top + 1) / bottom.abs() if bottom <= 0 else \
                torch.tensor(10000.0, dtype=torch.float64)
            ratios[k] = ratio
            keep[k] = bool((ratio * camera_height - t[k]).abs() / t[k] < max_rel_error)
        out.append(keep)
    return (out, all_ratios) if return_ratios else out
