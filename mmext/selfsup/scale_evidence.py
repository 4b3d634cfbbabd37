"""Per-frame metric-scale evidence from object-height priors (FUMET), shared by the
model's losses and :class:`CameraHeightHook`."""
import math
from typing import Dict, List, Optional, Sequence

import torch
from torch import Tensor, nn

from mmext.utils.batching import stack_field
from mmext.geometry import backproject
from .objects import filter_instances, fumet_outlier_keep


def sample_instance_heights(data_samples: Sequence, device) -> Optional[List[Optional[Tensor]]]:
    """Per-image ``instance_heights`` of the samples (``None`` where a file has none; ``None``
    overall when no sample has them)."""
    out = [torch.as_tensor(s.instance_heights, dtype=torch.float32).to(device)
           if 'instance_heights' in s else None for s in data_samples]
    return None if all(h is None for h in out) else out


def frame_scale_evidence(depth: Tensor, K: Tensor, data_samples: Sequence,
                         road_normal: Optional[Tensor], object_loss: nn.Module,
                         filter_cfg: Dict, camera_height: Optional[Tensor] = None,
                         image_ok: Optional[Tensor] = None) -> Dict:
    """Filter each frame's instances and measure the metric scale they imply.

    Args:
        depth: ``(B, 1, H, W)`` predicted depth.
        K: ``(B, 3, 3)`` intrinsics at the depth's size.
        data_samples: Samples carrying ``instance_map`` ``(H, W)`` and ``instance_labels``.
        road_normal: ``(B, 3)`` road up-normals (NaN rows where unknown), for the horizon
            test and silhouette heights.
        object_loss: The model's ``ObjectHeightLoss`` (classes, priors, height mode).
        filter_cfg: Keyword arguments of :func:`filter_instances`, plus ``horizon``:
            ``'normal'`` (its horizon test from ``road_normal``) or ``'fumet'`` (FUMET's
            ``--remove_outliers``: :func:`~mmext.selfsup.objects.fumet_outlier_keep` on a
            least-squares road plane, once ``camera_height`` exists), and
            ``remove_outliers`` (default True; False: no implied-height test at all, FUMET's
            option default without ``--remove_outliers``). The test compares each object
            with the *current* camera-height target, so a target far off (> the 20%
            threshold) keeps only objects whose visible part is shorter than their
            height (occluded, cut), which pushes the next estimate further off: on the
            CPU twin this fed the runaway in benchmarks/RESULTS_selfsup.md.
        camera_height: Current camera-height target (``None`` before the first estimate:
            the implied-height test is skipped).
        image_ok: Optional ``(B,)`` bool: images without (enough) road lose all their
            instances (FUMET: "if no road is detected, regard that there is no car"),
            counted as ``no_road``.

    Returns:
        ``instance_map`` ``(B, H, W)``, ``labels`` (list of ``(N_b,)``), ``heights``
        (per-instance heights of the samples or ``None``), ``keep`` (list of
        bool ``(N_b,)``), ``counts`` (filter counts), ``frame_scale`` (list of floats:
        median over kept instances of prior-implied depth / predicted depth, NaN when
        none) and ``frame_count`` (kept instances per frame).
    """
    if 'instance_map' not in data_samples[0]:
        raise ValueError("object-height terms need 'instance_map'/'instance_labels' in the "
                         'data samples: add LoadRoadInstanceMasks to the pipeline')
    imap = stack_field(data_samples, 'instance_map', depth.device)
    labels = [torch.as_tensor(s.instance_labels, dtype=torch.long).to(depth.device)
              for s in data_samples]
    heights = sample_instance_heights(data_samples, depth.device)
    own = object_loss.own_heights(heights, len(labels))
    h = None if camera_height is None else float(camera_height)
    cfg = dict(filter_cfg)
    horizon = cfg.pop('horizon', 'normal')
    if horizon not in ('normal', 'fumet'):
        raise ValueError(f"object_filter horizon must be 'normal' or 'fumet', got {horizon!r}")
    if not cfg.pop('remove_outliers', True):
        h = None                           # no implied-height test against the target
    keep, counts = filter_instances(imap, labels, object_loss.classes,
                                    object_loss.height_priors, road_normal=road_normal, K=K,
                                    camera_height=None if horizon == 'fumet' else h,
                                    instance_heights=own, **cfg)
    if horizon == 'fumet' and h is not None and math.isfinite(h):
        road = stack_field(data_samples, 'road_mask', depth.device)
        targets = object_loss.instance_targets(labels, heights, keep)
        fumet_keep = fumet_outlier_keep(backproject(depth.detach(), K), road, imap, targets, K,
                                        h, cfg.get('max_rel_error', 0.2))
        for b, fk in enumerate(fumet_keep):
            dropped = keep[b] & ~fk.to(keep[b].device)
            n = int(dropped.sum())
            counts['height_outlier'] += n
            counts['kept'] -= n
            keep[b] = keep[b] & ~dropped
    counts['no_road'] = 0
    if image_ok is not None:
        for b in range(len(keep)):
            if not bool(image_ok[b]):
                n = int(keep[b].sum())
                counts['no_road'] += n
                counts['kept'] -= n
                keep[b] = torch.zeros_like(keep[b])
    factors = object_loss.scale_factors(depth.detach(), K, imap, labels, keep=keep,
                                        road_normal=road_normal, instance_heights=heights)
    frame_scale: List[float] = []
    frame_count: List[int] = []
    for f in factors:
        f = f[torch.isfinite(f)]
        frame_count.append(int(f.numel()))
        frame_scale.append(float(f.median()) if f.numel() else math.nan)
    return dict(instance_map=imap, labels=labels, heights=heights, keep=keep, counts=counts,
                frame_scale=frame_scale, frame_count=frame_count)


def fumet_frame_camera_heights(points: Tensor, road_height: Tensor, road_normal: Tensor,
                               instance_map: Tensor, targets: Sequence[Tensor]) -> Tensor:
    """Per-frame metric camera heights as FUMET collects them during training
    (``compute_scaled_cam_heights`` / ``compute_projected_obj_heights``, restated).

    With the frame's road up-normal ``n`` and unscaled camera height ``h`` (median road
    pixel height), every predicted point gets ``y = -n . X - h`` (its depth below the road
    plane, negative above it). An instance's predicted height is ``max y - min y`` over its
    mask, or ``-min y`` when the whole mask lies above the road (``max y < 0``); its scale
    is ``H / that``; the frame's scale is the median (``quantile(0.5)``) over its used
    instances and its metric camera height ``scale * h``.

    Args:
        points: ``(B, H, W, 3)`` predicted camera-frame points (detached).
        road_height: ``(B,)`` unscaled camera heights (NaN = no road).
        road_normal: ``(B, 3)`` road up-normals.
        instance_map: ``(B, H, W)`` instance ids.
        targets: Per image ``(N_b,)`` heights ``H`` (NaN = instance not used).

    Returns:
        ``(B,)`` heights, NaN for frames without road or used instances.
    """
    B = points.shape[0]
    out = points.new_full((B, ), float('nan'))
    for b in range(B):
        h = road_height[b]
        n = road_normal[b]
        if not bool(torch.isfinite(h)) or not bool(torch.isfinite(n).all()):
            continue
        y = -(points[b] @ n.to(points)) - h
        t = torch.as_tensor(targets[b], dtype=points.dtype, device=points.device).reshape(-1)
        scales = []
        for k in range(t.numel()):
            m = instance_map[b] == k + 1
            if not bool(torch.isfinite(t[k])) or not bool(m.any()):
                continue
            region = y[m]
            top, bottom = region.min(), region.max()
            extent = -top if bottom < 0 else bottom - top
            scales.append(t[k] / extent)
        if scales:
            out[b] = torch.stack(scales).quantile(0.5) * h
    return out
