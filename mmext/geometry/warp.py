"""View synthesis for self-supervised depth: poses from axis-angle, projection and warping.

Conventions (as :mod:`mmext.geometry.camera`): camera frame x right, y down, z forward;
pixel centres at integer coordinates. ``T_src_tgt`` is the ``(B, 4, 4)`` rigid transform that
maps points from the *target* camera frame into the *source* camera frame (monodepth2's
``T`` applied to the target's back-projected points).
"""
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from mmext.utils.amp import float32
from .camera import as_batched_K, backproject

__all__ = ['axisangle_to_matrix', 'pose_from_axisangle', 'project_points', 'warp_to_target']


def axisangle_to_matrix(axisangle: Tensor) -> Tensor:
    """Rodrigues: ``(B, 3)`` axis-angle vectors (angle = norm) -> ``(B, 3, 3)`` rotations."""
    angle = axisangle.norm(dim=-1, keepdim=True)                        # (B, 1)
    axis = axisangle / angle.clamp_min(1e-7)
    x, y, z = axis.unbind(-1)
    zero = torch.zeros_like(x)
    skew = torch.stack([zero, -z, y, z, zero, -x, -y, x, zero], -1).view(-1, 3, 3)
    s, c = torch.sin(angle)[..., None], torch.cos(angle)[..., None]
    eye = torch.eye(3, dtype=axisangle.dtype, device=axisangle.device).expand_as(skew)
    return eye + s * skew + (1 - c) * (skew @ skew)


@float32
def pose_from_axisangle(axisangle: Tensor, translation: Tensor, invert: bool = False) -> Tensor:
    """``(B, 4, 4)`` transform ``[R | t]`` from ``(B, 3)`` axis-angle and translation.

    With ``invert=True`` the inverse ``[R^T | -R^T t]`` is returned (monodepth2 predicts the
    pose of the pair ``(earlier, later)`` and inverts it for frames before the target).
    """
    R = axisangle_to_matrix(axisangle)
    t = translation.unsqueeze(-1)
    if invert:
        R = R.transpose(1, 2)
        t = -R @ t
    T = torch.eye(4, dtype=R.dtype, device=R.device).repeat(R.shape[0], 1, 1)
    T[:, :3, :3] = R
    T[:, :3, 3:] = t
    return T


@float32
def project_points(points: Tensor, K: Tensor, eps: float = 1e-7) -> Tuple[Tensor, Tensor]:
    """Project ``(B, H, W, 3)`` camera-frame points with ``(B, 3, 3)`` intrinsics.

    Returns:
        ``(uv, z)``: ``(B, H, W, 2)`` pixel coordinates and ``(B, H, W)`` depths.
    """
    p = torch.einsum('bij,bhwj->bhwi', K, points)
    z = p[..., 2]
    uv = p[..., :2] / z.clamp_min(eps).unsqueeze(-1)
    return uv, z


@float32
def warp_to_target(source: Tensor, depth: Tensor, T_src_tgt: Tensor, K: Tensor,
                   padding_mode: str = 'border') -> Tuple[Tensor, Tensor]:
    """Synthesise the target view by sampling ``source`` where the target's points land.

    Back-project each target pixel with its depth, move it into the source camera with
    ``T_src_tgt``, project with ``K`` and sample the source image bilinearly.

    Args:
        source: ``(B, C, H, W)`` source image.
        depth: ``(B, 1, H, W)`` depth of the *target* view.
        T_src_tgt: ``(B, 4, 4)`` target-to-source transform.
        K: ``(3, 3)`` or ``(B, 3, 3)`` intrinsics of both views at this resolution.
        padding_mode: ``grid_sample`` padding (monodepth2: ``'border'``).

    Returns:
        ``(warped, inside)``: the ``(B, C, H, W)`` synthesised target and a ``(B, 1, H, W)``
        boolean mask of pixels whose projection lies inside the source image, in front of it.
    """
    B, _, H, W = source.shape
    K = as_batched_K(K, B, dtype=depth.dtype, device=depth.device)
    pts = backproject(depth, K)                                            # (B, H, W, 3)
    pts = torch.einsum('bij,bhwj->bhwi', T_src_tgt[:, :3, :3], pts) + \
        T_src_tgt[:, None, None, :3, 3]
    uv, z = project_points(pts, K)
    grid = torch.stack([uv[..., 0] / (W - 1) * 2 - 1, uv[..., 1] / (H - 1) * 2 - 1], -1)
    warped = F.grid_sample(source, grid.to(source.dtype), mode='bilinear',
                           padding_mode=padding_mode, align_corners=True)
    inside = (grid.abs() <= 1).all(-1) & (z > 0)
    return warped, inside.unsqueeze(1)
