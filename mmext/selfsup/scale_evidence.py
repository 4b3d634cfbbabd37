"""Per-frame metric-scale evidence from object-height priors (FUMET), shared by the
model's losses and :class:`CameraHeightHook`."""
import math
from typing import Dict, List, Optional, Sequence

import torch
from torch import Tensor, nn

from mmext.utils.batching import stack_field
from .objects import filter_instances


def frame_scale_evidence(depth: Tensor, K: Tensor, data_samples: Sequence,
                         road_normal: Optional[Tensor], object_loss: nn.Module,
                         filter_cfg: Dict, camera_height: Optional[Tensor] = None) -> Dict:
    """Filter each frame's instances and measure the metric scale they imply.

    Args:
        depth: ``(B, 1, H, W)`` predicted depth.
        K: ``(B, 3, 3)`` intrinsics at the depth's size.
        data_samples: Samples carrying ``instance_map`` ``(H, W)`` and ``instance_labels``.
        road_normal: ``(B, 3)`` road up-normals (NaN rows where unknown), for the horizon
            test and silhouette heights.
        object_loss: The model's ``ObjectHeightLoss`` (classes, priors, height mode).
        filter_cfg: Keyword arguments of :func:`filter_instances`.
        camera_height: Current camera-height target (``None`` before the first estimate:
            the implied-height test is skipped).

    Returns:
        ``instance_map`` ``(B, H, W)``, ``labels`` (list of ``(N_b,)``), ``keep`` (list of
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
    h = None if camera_height is None else float(camera_height)
    keep, counts = filter_instances(imap, labels, object_loss.classes,
                                    object_loss.height_priors, road_normal=road_normal, K=K,
                                    camera_height=h, **filter_cfg)
    factors = object_loss.scale_factors(depth.detach(), K, imap, labels, keep=keep,
                                        road_normal=road_normal)
    frame_scale: List[float] = []
    frame_count: List[int] = []
    for f in factors:
        f = f[torch.isfinite(f)]
        frame_count.append(int(f.numel()))
        frame_scale.append(float(f.median()) if f.numel() else math.nan)
    return dict(instance_map=imap, labels=labels, keep=keep, counts=counts,
                frame_scale=frame_scale, frame_count=frame_count)
