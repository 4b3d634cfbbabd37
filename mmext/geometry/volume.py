"""Food volume from a depth map: heights above a table plane integrated over a mask.

``V = sum_{p in mask} max(0, h(p)) * A(p)`` with ``h = n . X(p) + d`` the height of the
back-projected point ``X(p)`` above the plane and ``A(p)`` the pixel's footprint:

* ``'surface'`` (default): the area of the seen surface patch projected onto the table plane,
  ``|dQ/du x dQ/dv|`` with ``Q`` the projection of ``X`` onto the plane, from finite
  differences taken inside the mask (one-sided at its border; pixels with no masked neighbour
  fall back to ``'plane'``). This is the exact discretisation of ``integral h dA`` for a
  height-field surface: sloped surfaces and visible side walls get their true footprint.
* ``'plane'``: ``Z^2 / (fx * fy * |r . n|)`` with ``r = K^-1 (u, v, 1)``, the pixel's area on a
  plane parallel to the table through the point (exact only for surfaces parallel to it).
* ``'image'``: the seed's ``Z^2 / (fx * fy)``, equal to ``'plane'`` for a level table.

Measured on ray-cast analytic solids at 640x480, camera 0.359 m above the table (tests in
``tests/test_geometry``): ``'surface'`` is within 1% for boxes, cylinders and spherical caps
anywhere in view on level and gently tilted tables; ``'plane'``/``'image'`` are exact for
flat tops seen straight on but off by -3% to -11% on spherical caps (slopes) and +3% to +4% for
off-centre boxes/cylinders (their inner side walls are seen and counted as if horizontal).
"""
from typing import Optional

import torch
from torch import Tensor

from mmext.utils.amp import float32
from .camera import as_batched_K, pixel_rays
from .plane import fit_plane_lstsq_sparse, fit_plane_ransac
from .ring import mask_ring

__all__ = ['compute_volume', 'fit_table_plane', 'height_map']


def _bhw(x: Tensor, name: str) -> Tensor:
    if x.dim() == 4 and x.shape[1] == 1:
        x = x[:, 0]
    if x.dim() == 2:
        x = x.unsqueeze(0)
    if x.dim() != 3:
        raise ValueError(f'{name} must be (H, W), (B, H, W) or (B, 1, H, W), got {tuple(x.shape)}')
    return x


def _ray_planes(K: Tensor, H: int, W: int):
    """x and y components of ``K^-1 (u, v, 1)``: ``rx`` (B, H, W) (B, 1, W without skew),
    ``ry`` (B, H, 1). Kept as separate planes: (B, H, W, 3) tensors are slow on CPU."""
    u = torch.arange(W, dtype=K.dtype, device=K.device).view(1, 1, W)
    v = torch.arange(H, dtype=K.dtype, device=K.device).view(1, H, 1)
    fx, fy = K[:, 0, 0].view(-1, 1, 1), K[:, 1, 1].view(-1, 1, 1)
    ry = (v - K[:, 1, 2].view(-1, 1, 1)) / fy
    rx = (u - K[:, 0, 2].view(-1, 1, 1) - K[:, 0, 1].view(-1, 1, 1) * ry) / fx
    return rx, ry


@float32
def fit_table_plane(depth: Tensor, K: Tensor, mask: Tensor, method: str = 'lstsq',
                    ring_inner: int = 5, ring_width: int = 20, **ransac_kwargs) -> Tensor:
    """Fit the table plane on a ring around the food mask (pixels with depth > 0 only).

    Args:
        depth: ``(B, H, W)`` z-depth.
        K: ``(3, 3)`` / ``(B, 3, 3)`` intrinsics.
        mask: ``(B, H, W)`` food masks.
        method: ``'lstsq'`` (differentiable) or ``'ransac'`` (robust, lstsq refit on inliers).
        ring_inner: Gap between mask and ring (pixels).
        ring_width: Ring width (pixels).
        **ransac_kwargs: Passed to :func:`fit_plane_ransac`.

    Returns:
        ``(B, 4)`` planes (see :mod:`mmext.geometry.plane`).
    """
    depth, mask = _bhw(depth, 'depth'), _bhw(mask, 'mask')
    B, H, W = depth.shape
    K = as_batched_K(K, B, dtype=depth.dtype, device=depth.device)
    ring = mask_ring(mask, ring_inner, ring_width) & (depth.detach() > 0)
    if method == 'ransac':
        pts = pixel_rays(K, (H, W)) * depth.unsqueeze(-1)
        return fit_plane_ransac(pts, ring, **ransac_kwargs)
    if method != 'lstsq':
        raise ValueError(f"plane method must be 'lstsq' or 'ransac', got {method!r}")
    rx, ry = _ray_planes(K, H, W)
    bid = torch.arange(B, device=depth.device).view(B, 1, 1).expand(B, H, W)[ring]
    z = depth[ring]
    p = torch.stack([rx.expand(B, H, W)[ring] * z, ry.expand(B, H, W)[ring] * z, z], -1)
    return fit_plane_lstsq_sparse(p, torch.ones_like(z), bid, B)


@float32
def height_map(depth: Tensor, K: Tensor, plane: Tensor) -> Tensor:
    """Signed height ``n . X + d`` of every pixel's point above ``(B, 4)`` planes."""
    depth = _bhw(depth, 'depth')
    K = as_batched_K(K, depth.shape[0], dtype=depth.dtype, device=depth.device)
    rx, ry = _ray_planes(K, *depth.shape[-2:])
    n = plane.to(depth.dtype).view(-1, 4, 1, 1)
    return depth * (n[:, 0] * rx + n[:, 1] * ry + n[:, 2]) + n[:, 3]


def _masked_diff(q: Tensor, m: Tensor, dim: int):
    """Central differences of ``q`` (B, H, W) along ``dim`` (1 rows, 2 columns) using only
    masked neighbours (one-sided at the mask border). Returns the derivative and a flag."""
    n = q.shape[dim]
    nxt = torch.cat([q.narrow(dim, 1, n - 1), q.narrow(dim, n - 1, 1)], dim)
    prv = torch.cat([q.narrow(dim, 0, 1), q.narrow(dim, 0, n - 1)], dim)
    z = torch.zeros_like(m.narrow(dim, 0, 1))
    m_nxt = m & torch.cat([m.narrow(dim, 1, n - 1), z], dim)
    m_prv = m & torch.cat([z, m.narrow(dim, 0, n - 1)], dim)
    wn, wp = m_nxt.to(q.dtype), m_prv.to(q.dtype)
    # both: (nxt - prv) / 2; only next: nxt - q; only previous: q - prv; none: 0.
    denom = (wn + wp).clamp_min(1)
    g = (wn * (nxt - q) + wp * (q - prv)) / denom
    return g, m_nxt | m_prv


def _surface_footprint(depth: Tensor, rx: Tensor, ry: Tensor, plane: Tensor, m: Tensor,
                       fallback: Tensor) -> Tensor:
    """Area of each pixel's surface patch projected onto the plane (see module docstring):
    ``|det d(q1, q2)/d(u, v)|`` with ``q1, q2`` the point's coordinates along two orthonormal
    in-plane axes ``e1, e2``."""
    n = plane[:, :3]
    helper = torch.zeros_like(n)
    helper[:, 0] = 1.0
    e1 = helper - (helper * n).sum(-1, keepdim=True) * n
    e1 = e1 / e1.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    e2 = torch.cross(n, e1, dim=-1)
    B = depth.shape[0]
    q = [depth * (e[:, 0].view(B, 1, 1) * rx + e[:, 1].view(B, 1, 1) * ry
                  + e[:, 2].view(B, 1, 1)) for e in (e1, e2)]
    q1u, ok_u = _masked_diff(q[0], m, 2)
    q2u, _ = _masked_diff(q[1], m, 2)
    q1v, ok_v = _masked_diff(q[0], m, 1)
    q2v, _ = _masked_diff(q[1], m, 1)
    det = q1u * q2v - q1v * q2u
    area = torch.sqrt(det * det + 1e-30)
    return torch.where(ok_u & ok_v, area, fallback)


@float32
def compute_volume(depth: Tensor, K: Tensor, mask: Tensor, plane: Optional[Tensor] = None,
                   footprint: str = 'surface', plane_method: str = 'lstsq',
                   ring_inner: int = 5, ring_width: int = 20, **ransac_kwargs) -> Tensor:
    """Volume between the seen surface and the table plane inside a mask, batched.

    Differentiable in ``depth`` (heights are clamped at 0 with ``relu``; the plane fit is
    differentiable for ``'lstsq'``). Empty masks give volume 0 with finite gradients.

    Args:
        depth: ``(B, H, W)`` / ``(B, 1, H, W)`` z-depth in metres (or any length unit).
        K: ``(3, 3)`` / ``(B, 3, 3)`` intrinsics for this image size.
        mask: Food masks, same spatial size (bool or float > 0.5).
        plane: ``(B, 4)`` known table planes; fitted on a ring around the mask when None.
        footprint: ``'surface'``, ``'plane'`` or ``'image'`` (see the module docstring).
        plane_method: ``'lstsq'`` or ``'ransac'`` when the plane is fitted.
        ring_inner: Gap between mask and ring (pixels).
        ring_width: Ring width (pixels).
        **ransac_kwargs: Passed to :func:`fit_plane_ransac`.

    Returns:
        ``(B,)`` volumes in the cube of the depth unit (m^3 for metres; x1e6 for mL).
    """
    depth, mask = _bhw(depth, 'depth'), _bhw(mask, 'mask')
    if mask.shape != depth.shape:
        raise ValueError(f'mask {tuple(mask.shape)} and depth {tuple(depth.shape)} differ in shape')
    if footprint not in ('surface', 'plane', 'image'):
        raise ValueError(f"footprint must be 'surface', 'plane' or 'image', got {footprint!r}")
    B, H, W = depth.shape
    K = as_batched_K(K, B, dtype=depth.dtype, device=depth.device)
    m = (mask > 0.5) if mask.is_floating_point() else mask.bool()
    if plane is None:
        plane = fit_table_plane(depth, K, m, plane_method, ring_inner, ring_width,
                                **ransac_kwargs)
    plane = torch.as_tensor(plane, dtype=depth.dtype, device=depth.device).reshape(B, 4)
    valid = m & (depth > 0)
    # Only the bounding box of the masks (over the batch) contributes; the footprint's finite
    # differences only use masked neighbours, so the crop changes nothing but the cost.
    rows, cols = valid.any(2).any(0).nonzero(), valid.any(1).any(0).nonzero()
    if len(rows) == 0:
        return (depth * 0).sum((1, 2))
    r0, r1, c0, c1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    rx, ry = _ray_planes(K, H, W)
    rx = rx.expand(B, H, W)[:, r0:r1, c0:c1]
    ry = ry[:, r0:r1]
    depth, valid = depth[:, r0:r1, c0:c1], valid[:, r0:r1, c0:c1]
    n = plane.view(B, 4, 1, 1)
    cos = n[:, 0] * rx + n[:, 1] * ry + n[:, 2]          # r . n
    h = (depth * cos + n[:, 3]).clamp_min(0)
    area = depth * depth / (K[:, 0, 0] * K[:, 1, 1]).view(B, 1, 1)
    if footprint != 'image':
        area = area / cos.abs().clamp_min(1e-6)
    if footprint == 'surface':
        area = _surface_footprint(depth, rx, ry, plane, valid, area)
    return (h * area * valid.to(depth.dtype)).sum((1, 2))
