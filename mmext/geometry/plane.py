"""Plane fits on camera-frame points: weighted least squares and RANSAC, batched in torch.

A plane is a ``(B, 4)`` tensor ``(nx, ny, nz, d)`` with unit normal ``n`` and
``n . p + d = 0`` for points ``p`` on it. The normal is oriented towards the camera (the
origin), so ``d > 0`` is the camera's distance to the plane and
``signed_height(p) = n . p + d`` is positive for points between the plane and the camera
(food on a table seen from above).
"""
from typing import Optional

import torch
from torch import Tensor

from mmext.utils.amp import float32

__all__ = ['fit_plane_lstsq', 'fit_plane_lstsq_sparse', 'fit_plane_ransac', 'signed_height',
           'plane_from_points']


def _flatten(points: Tensor, weights: Tensor):
    if points.shape[-1] != 3:
        raise ValueError(f'points must end with a dimension of 3, got {tuple(points.shape)}')
    B = points.shape[0]
    pts = points.reshape(B, -1, 3)
    w = weights.reshape(B, -1).to(pts.dtype)
    if w.shape[1] != pts.shape[1]:
        raise ValueError(f'weights {tuple(weights.shape)} do not match points '
                         f'{tuple(points.shape)}')
    return pts, w


@float32
def fit_plane_lstsq(points: Tensor, weights: Tensor, eps: float = 1e-9) -> Tensor:
    """Weighted least-squares plane ``Z = a X + b Y + c`` (differentiable).

    The depth (z) of the points is regressed on their x, y coordinates, which is the
    well-conditioned choice for a camera looking down at a table (the table is never seen
    edge-on). Moments are centred on the weighted mean before solving and a tiny ridge
    keeps the 3x3 system solvable, so an empty or degenerate point set gives a finite plane
    (``Z = mean Z``, or ``Z = 0`` with no points) and finite gradients.

    Args:
        points: ``(B, ..., 3)`` camera-frame points.
        weights: ``(B, ...)`` non-negative weights (a float or bool mask).
        eps: Ridge added to the normal equations, relative to their scale.

    Returns:
        ``(B, 4)`` planes ``(n, d)`` with unit normal oriented towards the camera.
    """
    pts, w = _flatten(points, weights)
    B, N = w.shape
    sel = w > 0          # only points with weight > 0 are touched (a ring is a few %)
    bid = torch.arange(B, device=pts.device).unsqueeze(1).expand(B, N)[sel]
    return fit_plane_lstsq_sparse(pts[sel], w[sel], bid, B, eps)


@float32
def fit_plane_lstsq_sparse(p: Tensor, w: Tensor, bid: Tensor, batch: int,
                           eps: float = 1e-9) -> Tensor:
    """:func:`fit_plane_lstsq` on already selected points ``p`` ``(N, 3)`` with weights ``w``
    ``(N,)`` of images ``bid`` ``(N,)`` in a batch of ``batch``."""
    dtype = p.dtype
    # Weighted raw moments of (X, Y, Z, 1) per image, accumulated in float64 so centring them
    # afterwards loses no precision (a table is ~0.36 m away and flat to < 1 mm).
    p4 = torch.cat([p, torch.ones_like(p[:, :1])], -1).double()
    outer = w.double().view(-1, 1, 1) * p4.unsqueeze(2) * p4.unsqueeze(1)
    M = torch.zeros(batch, 4, 4, dtype=torch.float64, device=p.device).index_add(0, bid, outer)
    wsum = M[:, 3, 3].clamp_min(1e-12)
    mean = M[:, :3, 3] / wsum.unsqueeze(-1)
    cov = M[:, :3, :3] / wsum.view(-1, 1, 1) - mean.unsqueeze(2) * mean.unsqueeze(1)
    sxx, sxy, syy = cov[:, 0, 0], cov[:, 0, 1], cov[:, 1, 1]
    sxz, syz = cov[:, 0, 2], cov[:, 1, 2]
    scale = (sxx + syy).detach().clamp_min(1e-12)
    ridge = eps * scale + 1e-20
    det = (sxx + ridge) * (syy + ridge) - sxy * sxy
    det = torch.where(det.abs() < 1e-30, torch.full_like(det, 1e-30), det)
    a = ((syy + ridge) * sxz - sxy * syz) / det
    b = ((sxx + ridge) * syz - sxy * sxz) / det
    c = mean[:, 2] - a * mean[:, 0] - b * mean[:, 1]
    a, b, c = (t.to(dtype) for t in (a, b, c))
    return plane_from_abc(a, b, c)


def plane_from_abc(a: Tensor, b: Tensor, c: Tensor) -> Tensor:
    """Plane ``Z = a X + b Y + c`` as ``(n, d)`` with the normal towards the camera."""
    s = torch.sqrt(a * a + b * b + 1.0)
    sign = torch.where(c < 0, -torch.ones_like(c), torch.ones_like(c))
    # a X + b Y - Z + c = 0  ->  n = (a, b, -1) / s, d = c / s; flip so that d >= 0.
    n = torch.stack([a, b, -torch.ones_like(a)], dim=-1) / s.unsqueeze(-1)
    return torch.cat([n * sign.unsqueeze(-1), (c / s * sign).unsqueeze(-1)], dim=-1)


def plane_from_points(p0: Tensor, p1: Tensor, p2: Tensor) -> Tensor:
    """Planes through point triples ``(..., 3)`` (normal towards the origin; may be NaN-free
    zero normals for collinear triples, callers should reject them)."""
    n = torch.cross(p1 - p0, p2 - p0, dim=-1)
    norm = n.norm(dim=-1, keepdim=True)
    n = n / norm.clamp_min(1e-12)
    d = -(n * p0).sum(-1, keepdim=True)
    sign = torch.where(d < 0, -torch.ones_like(d), torch.ones_like(d))
    return torch.cat([n * sign, d * sign], dim=-1)


@float32
def signed_height(points: Tensor, plane: Tensor) -> Tensor:
    """Signed distance ``n . p + d`` of ``(B, ..., 3)`` points to ``(B, 4)`` planes."""
    shape = (plane.shape[0],) + (1,) * (points.dim() - 2) + (4,)
    pl = plane.reshape(shape)
    return (points * pl[..., :3]).sum(-1) + pl[..., 3]


@float32
def fit_plane_ransac(points: Tensor, weights: Tensor, iterations: int = 200,
                     threshold: float = 0.003, generator: Optional[torch.Generator] = None,
                     refine: bool = True, score_points: int = 2048) -> Tensor:
    """RANSAC plane fit, then a least-squares refit on the inliers of the best hypothesis.

    Hypothesis selection runs without gradients; the final least-squares refit on the
    inlier set is differentiable with respect to ``points``.

    Args:
        points: ``(B, ..., 3)`` camera-frame points.
        weights: ``(B, ...)`` mask of candidate points (> 0 means usable).
        iterations: Number of 3-point hypotheses per image.
        threshold: Inlier distance to the plane (same unit as the points, e.g. metres).
        generator: Optional torch generator for reproducible sampling.
        refine: Refit on the inliers with :func:`fit_plane_lstsq` (else return the best
            3-point plane).
        score_points: Usable points sampled per image to score the hypotheses.

    Returns:
        ``(B, 4)`` planes; images with fewer than 3 usable points fall back to the
        least-squares fit of whatever points they have.
    """
    pts, w = _flatten(points, weights)
    B, N, _ = pts.shape
    valid = w > 0
    counts = valid.sum(1)
    with torch.no_grad():
        probs = valid.to(pts.dtype) + (counts == 0).unsqueeze(1).to(pts.dtype)  # avoid all-zero
        idx = torch.multinomial(probs, 3 * iterations, replacement=True, generator=generator)
        idx = idx.view(B, iterations, 3)
        sample = torch.gather(pts.detach().unsqueeze(1).expand(B, iterations, N, 3), 2,
                              idx.unsqueeze(-1).expand(B, iterations, 3, 3))
        hyp = plane_from_points(sample[:, :, 0], sample[:, :, 1], sample[:, :, 2])  # (B,I,4)
        degenerate = hyp[..., :3].norm(dim=-1) < 0.5
        # Score hypotheses on a random subset of the usable points (memory stays
        # B x iterations x score_points), then take the inliers of the best on all points.
        sub = torch.multinomial(probs, score_points, replacement=True, generator=generator)
        sub_pts = torch.gather(pts.detach(), 1, sub.unsqueeze(-1).expand(B, score_points, 3))
        sub_ok = torch.gather(valid, 1, sub)
        dist = (torch.einsum('bnk,bik->bin', sub_pts, hyp[..., :3]) + hyp[..., 3:]).abs()
        score = ((dist < threshold) & sub_ok.unsqueeze(1)).sum(-1).masked_fill(degenerate, -1)
        best = score.argmax(1)                                              # (B,)
        best_plane = hyp[torch.arange(B), best]
        inliers = (signed_height(pts.detach(), best_plane).abs() < threshold) & valid
    enough = (counts >= 3) & (inliers.sum(1) >= 3)
    if not refine:
        fallback = fit_plane_lstsq(pts, w)
        return torch.where(enough.unsqueeze(1), best_plane, fallback)
    wi = torch.where(enough.unsqueeze(1), inliers.to(pts.dtype) * w, w)
    return fit_plane_lstsq(pts, wi)
