"""Road geometry from a depth map: per-pixel normals, camera height and the horizon (FUMET).

Conventions (as :mod:`mmext.geometry.camera`): camera frame x right, y *down*, z forward;
pixel centres at integer coordinates. A road normal points *up* (``n_y < 0`` for a road
below a roughly level camera), so a road point ``X`` at camera height ``h`` has
``n . X = -h`` and ``h = -n . X`` is the camera's height above the road (FUMET).
"""
import warnings
from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor

from mmext.utils.amp import float32
from .camera import as_batched_K, backproject
from .plane import plane_from_points

__all__ = ['neighbour_normals', 'fumet_normals', 'fumet_road_mask', 'fumet_road_heights',
           'road_heights', 'road_plane_heights', 'camera_heights', 'horizon_row']


def _safe_unit(v: Tensor) -> Tensor:
    """``v / |v|`` along the last dimension; exact zeros (and their gradients) where ``v = 0``."""
    sq = (v * v).sum(-1, keepdim=True)
    degenerate = sq <= torch.finfo(v.dtype).tiny
    norm = torch.sqrt(torch.where(degenerate, torch.ones_like(sq), sq))
    return torch.where(degenerate, torch.zeros_like(v), v / norm)


def neighbour_normals(points: Tensor) -> Tensor:
    """Unit surface normals from the cross product of the vectors to the right and lower
    neighbours (FUMET), oriented up (``n_y <= 0``).

    For pixel ``(u, v)`` with point ``P``, the normal is ``a x b`` normalised, with
    ``a = P(u+1, v) - P(u, v)`` and ``b = P(u, v+1) - P(u, v)``, flipped where its y component
    is positive (down). The last row and column, which lack a neighbour, copy the normal of
    the row/column before them. A degenerate (zero) cross product gives a zero normal with
    zero gradient (no NaN).

    Args:
        points: ``(B, H, W, 3)`` camera-frame points (e.g. :func:`backproject`), ``H, W >= 2``.

    Returns:
        ``(B, H, W, 3)`` unit (or zero) normals.
    """
    if points.dim() != 4 or points.shape[-1] != 3:
        raise ValueError(f'points must be (B, H, W, 3), got {tuple(points.shape)}')
    if points.shape[1] < 2 or points.shape[2] < 2:
        raise ValueError(f'points need H, W >= 2, got {tuple(points.shape)}')
    p = points[:, :-1, :-1]
    right = points[:, :-1, 1:] - p
    down = points[:, 1:, :-1] - p
    n = torch.cross(right, down, dim=-1)
    n = torch.where(n[..., 1:2] > 0, -n, n)               # orient up (y is down)
    n = _safe_unit(n)
    # Replicate the last row / column: (B, H-1, W-1, 3) -> (B, H, W, 3).
    n = F.pad(n.permute(0, 3, 1, 2), (0, 1, 0, 1), mode='replicate')
    return n.permute(0, 2, 3, 1)


def fumet_normals(points: Tensor) -> Tensor:
    """Unit normals from a sum of cross products of the vectors to the 8 neighbours, as
    FUMET's ``cam_pts2normal_with_cross_prod`` computes them (``--`` its code restated).

    With ``d(dv, du) = P(v + dv, u + du) - P(v, u)`` (neighbours taken with wrap-around,
    ``torch.roll``, as FUMET) and the ring ``r = right d(0,1), ur d(-1,1), up d(-1,0),
    ul d(-1,-1), left d(0,-1), dl d(1,-1), down d(1,0)``, FUMET sums
    ``r x ur + ur x up + ur x ul + up x left + ul x dl + left x down + dl x r + down x ur``
    (its list of vectors holds the up-right vector twice and never uses the down-right
    one; every pair still turns counter-clockwise, so all terms agree in sign and the sum
    is a weighted 8-neighbour normal). The sum is normalised; it points up (``n_y < 0``)
    for a road below the camera without any flip, and ``h = -n . X`` is the height. Rows /
    columns at the image border mix in the opposite border (FUMET zeroes the road mask
    there: :func:`fumet_road_mask`). A zero sum gives a zero normal (FUMET: NaN).

    Compared with :func:`neighbour_normals` (one right x down product), averaging eight
    products damps independent depth noise: on a 1.65 m road with 1% depth noise the
    right x down heights read ~1.0 m, these ~1.6 m (``tests/test_geometry``).

    Args:
        points: ``(B, H, W, 3)`` camera-frame points.

    Returns:
        ``(B, H, W, 3)`` unit (or zero) normals.
    """
    if points.dim() != 4 or points.shape[-1] != 3:
        raise ValueError(f'points must be (B, H, W, 3), got {tuple(points.shape)}')

    def d(dv: int, du: int) -> Tensor:
        # roll by (-dv, -du) brings P(v + dv, u + du) to (v, u)
        return torch.roll(points, shifts=(-dv, -du), dims=(1, 2)) - points

    right, up_right, up, up_left = d(0, 1), d(-1, 1), d(-1, 0), d(-1, -1)
    left, down_left, down = d(0, -1), d(1, -1), d(1, 0)
    pairs = ((right, up_right), (up_right, up), (up_right, up_left), (up, left),
             (up_left, down_left), (left, down), (down_left, right), (down, up_right))
    total = torch.zeros_like(points)
    for a, b in pairs:
        total = total + torch.cross(a, b, dim=-1)
    return _safe_unit(total)


def fumet_road_mask(road_mask: Tensor, min_fraction: float = 0.01) -> Tuple[Tensor, Tensor]:
    """FUMET's road pixels and road images for its metric terms.

    An image counts when its road covers more than ``int(H * W * min_fraction)`` pixels
    (FUMET: ``min_road_area``, 1% of the image); its road loses the last row and the first
    and last columns (FUMET zeroes them, their wrapped-around neighbours are meaningless).

    Args:
        road_mask: ``(B, [1,] H, W)`` road pixels (bool, or float > 0.5).
        min_fraction: Smallest road share of the image.

    Returns:
        ``(mask (B, H, W) bool, image_ok (B,) bool)``.
    """
    m = road_mask[:, 0] if road_mask.dim() == 4 else road_mask
    m = (m > 0.5) if m.is_floating_point() else m.bool()
    H, W = m.shape[-2:]
    ok = m.flatten(1).sum(1) > int(W * H * min_fraction)
    m = m.clone()
    m[:, -1, :] = False
    m[:, :, 0] = False
    m[:, :, -1] = False
    return m, ok


@float32
def fumet_road_heights(depth: Tensor, K: Tensor, road_mask: Tensor,
                       min_fraction: float = 0.01) -> Dict[str, Tensor]:
    """FUMET's per-pixel camera heights over the road (``compute_cam_heights_and_road_normals``).

    Every pixel gets ``h = -n . X`` with :func:`fumet_normals`; the road pixels of the
    images that have road (:func:`fumet_road_mask`) carry the per-pixel camera-height loss.
    The frame's height is the (interpolated) median ``quantile(0.5)`` of its road pixels'
    heights and its road normal the normalised sum of their normals (both detached).

    Args:
        depth: ``(B, 1, H, W)`` or ``(B, H, W)`` z-depth.
        K: ``(3, 3)`` or ``(B, 3, 3)`` intrinsics at the depth's size.
        road_mask: ``(B, [1,] H, W)`` road pixels.
        min_fraction: Smallest road share for an image to count.

    Returns:
        ``points`` ``(B, H, W, 3)``, ``pixel_height`` ``(B, H, W)`` (differentiable),
        ``mask`` ``(B, H, W)`` (road pixels used), ``valid`` ``(B,)`` (images with road),
        ``height`` ``(B,)`` and ``normal`` ``(B, 3)`` (up; NaN for images without road).
    """
    points = backproject(depth, K)
    normals = fumet_normals(points)
    per_pixel = -(normals * points).sum(-1)
    mask, ok = fumet_road_mask(road_mask, min_fraction)
    if mask.shape != per_pixel.shape:
        raise ValueError(f'road_mask {tuple(road_mask.shape)} does not match depth '
                         f'{tuple(depth.shape)}')
    B = points.shape[0]
    height = per_pixel.new_full((B, ), float('nan'))
    normal = per_pixel.new_full((B, 3), float('nan'))
    for b in range(B):
        if not bool(ok[b]) or not bool(mask[b].any()):
            continue
        height[b] = per_pixel[b][mask[b]].detach().quantile(0.5)
        s = normals[b][mask[b]].detach().sum(0)
        normal[b] = s / s.norm().clamp_min(1e-12)
    return dict(points=points, pixel_height=per_pixel, mask=mask, valid=ok & mask.flatten(1).any(1),
                height=height, normal=normal)


def _normal_support(valid: Tensor) -> Tensor:
    """Pixels whose own, right and lower neighbours' depths are valid (``(B, H, W)``)."""
    ok = valid[:, :-1, :-1] & valid[:, :-1, 1:] & valid[:, 1:, :-1]
    ok = F.pad(ok[:, None].float(), (0, 1, 0, 1), mode='replicate')[:, 0] > 0.5
    return ok & valid


@float32
def road_heights(depth: Tensor, K: Tensor, road_mask: Tensor,
                 min_pixels: int = 20) -> Dict[str, Tensor]:
    """Per-image camera height above the road, FUMET style.

    Every road pixel gives a height ``-n . X`` (its point ``X`` and its
    :func:`neighbour_normals` normal ``n``); the image's height is their median, which is
    differentiable w.r.t. ``depth`` (through the median pixel and its neighbours) and
    scale-covariant (``depth * s -> height * s``). Pixels whose normal would use a
    non-positive depth (holes in a measured depth map, 0 = invalid) are left out.

    Args:
        depth: ``(B, 1, H, W)`` or ``(B, H, W)`` z-depth.
        K: ``(3, 3)`` or ``(B, 3, 3)`` intrinsics.
        road_mask: ``(B, 1, H, W)`` or ``(B, H, W)`` road pixels (bool, or float > 0.5).
        min_pixels: Images with fewer road pixels get NaN height and normal.

    Returns:
        Dict with ``height`` ``(B,)`` (NaN where too few road pixels), ``normal`` ``(B, 3)``
        (the unit normalised component-wise median of the road pixels' normals, NaN where
        too few; not meant for gradients) and ``count`` ``(B,)`` (road pixels used, int64).
    """
    points = backproject(depth, K)                                    # (B, H, W, 3)
    normals = neighbour_normals(points)
    mask = road_mask
    if mask.dim() == 4:
        mask = mask[:, 0]
    if mask.shape != points.shape[:3]:
        raise ValueError(f'road_mask {tuple(road_mask.shape)} does not match depth '
                         f'{tuple(depth.shape)}')
    mask = (mask > 0.5) if mask.is_floating_point() else mask.bool()
    mask = mask & _normal_support(points[..., 2] > 0)
    per_pixel = -(normals * points).sum(-1)                            # (B, H, W)
    nan = per_pixel.new_tensor(float('nan'))
    heights, road_normals = [], []
    for b in range(points.shape[0]):
        m = mask[b]
        if int(m.sum()) < min_pixels:
            heights.append(nan)
            road_normals.append(nan.expand(3))
            continue
        heights.append(per_pixel[b][m].median())
        n = normals[b][m].detach().median(dim=0).values
        road_normals.append(n / n.norm().clamp_min(1e-12))
    return dict(height=torch.stack(heights), normal=torch.stack(road_normals),
                count=mask.flatten(1).sum(1))


def _pca_plane(p: Tensor) -> Tensor:
    """Total-least-squares plane ``(n, d)`` of ``(N, 3)`` points (normal = smallest axis)."""
    c = p.mean(0)
    q = p - c
    _, vecs = torch.linalg.eigh(q.T @ q)
    n = vecs[:, 0]
    return torch.cat([n, -(n @ c).view(1)])


@float32
def road_plane_heights(depth: Tensor, K: Tensor, road_mask: Tensor, threshold: float = 0.05,
                       iterations: int = 200, min_points: int = 20,
                       generator: Optional[torch.Generator] = None) -> Dict[str, Tensor]:
    """Camera height above a plane fitted to the road points (RANSAC + total least squares).

    For *sparse* depth such as velodyne ground truth, where :func:`road_heights`'
    neighbour normals have no neighbours: 3-point hypotheses on the valid road points
    (``depth > 0``), the one with most points within ``threshold`` wins, and its inliers
    are refitted by PCA. The height is the plane's distance to the camera centre, the
    normal is oriented up. Not differentiable (an evaluation / sanity-check tool).

    Args:
        depth: ``(B, 1, H, W)`` or ``(B, H, W)`` z-depth, 0 = no measurement.
        K: ``(3, 3)`` or ``(B, 3, 3)`` intrinsics.
        road_mask: ``(B, [1,] H, W)`` road pixels.
        threshold: Inlier distance in the depth's unit (metres for GT).
        iterations: RANSAC hypotheses per image.
        min_points: Images with fewer valid road points get NaN.
        generator: Torch generator for reproducible sampling.

    Returns:
        ``height`` ``(B,)``, ``normal`` ``(B, 3)``, ``inliers`` ``(B,)`` (int64).
    """
    points = backproject(depth, K).detach()
    mask = road_mask[:, 0] if road_mask.dim() == 4 else road_mask
    mask = mask.bool() & (points[..., 2] > 0)
    nan = points.new_tensor(float('nan'))
    heights, normals, counts = [], [], []
    for b in range(points.shape[0]):
        p = points[b][mask[b]]
        if p.shape[0] < max(3, min_points):
            heights.append(nan)
            normals.append(nan.expand(3))
            counts.append(0)
            continue
        idx = torch.randint(0, p.shape[0], (iterations, 3), generator=generator)
        hyp = plane_from_points(p[idx[:, 0]], p[idx[:, 1]], p[idx[:, 2]])   # (I, 4)
        ok = hyp[:, :3].norm(dim=-1) > 0.5
        dist = (p @ hyp[:, :3].T + hyp[:, 3]).abs()                        # (N, I)
        score = (dist < threshold).sum(0).masked_fill(~ok, -1)
        inl = dist[:, score.argmax()] < threshold
        plane = _pca_plane(p[inl] if int(inl.sum()) >= 3 else p)
        if plane[1] > 0:                                                   # orient up
            plane = -plane
        heights.append(plane[3].abs())
        normals.append(plane[:3])
        counts.append(int(inl.sum()))
    return dict(height=torch.stack(heights), normal=torch.stack(normals),
                inliers=torch.tensor(counts, dtype=torch.long))


@float32
def camera_heights(depth: Tensor, K: Tensor, road_mask: Tensor, method: str = 'normals',
                   min_pixels: int = 20, threshold: float = 0.05,
                   seed: Optional[int] = 0) -> Tensor:
    """``(B,)`` camera heights by :func:`fumet_road_heights` (``'fumet'``: 8-neighbour normals,
    images whose road covers more than 1% of the image), :func:`road_heights`
    (``'normals'``: right x down normals; dense depth -- a warning says when under half of
    the measured road pixels have the neighbours it needs) or :func:`road_plane_heights`
    (``'plane'``; sparse depth, ``threshold`` in the depth's unit, RANSAC seeded with
    ``seed``). NaN where an image has too few road pixels."""
    if method == 'normals':
        out = road_heights(depth, K, road_mask, min_pixels=min_pixels)
        m = road_mask[:, 0] if road_mask.dim() == 4 else road_mask
        d = depth[:, 0] if depth.dim() == 4 else depth
        measured = (m.bool() & (d > 0)).flatten(1).sum(1)
        sparse = (out['count'] < 0.5 * measured) & (measured > 0)
        if bool(sparse.any()):
            warnings.warn(
                f"camera_heights(method='normals'): {int(sparse.sum())} image(s) keep under "
                f"half of their measured road pixels (e.g. {int(out['count'][sparse][0])} of "
                f"{int(measured[sparse][0])}) because neighbour normals need dense depth; the "
                "height comes from a few scattered points. Use method='plane' for sparse "
                'depth such as velodyne ground truth.', UserWarning, stacklevel=2)
        return out['height']
    if method == 'fumet':
        out = fumet_road_heights(depth, K, road_mask)
        return torch.where(out['valid'], out['height'], torch.full_like(out['height'],
                                                                         float('nan')))
    if method == 'plane':
        gen = None if seed is None else torch.Generator().manual_seed(seed)
        return road_plane_heights(depth, K, road_mask, threshold, min_points=min_pixels,
                                  generator=gen)['height']
    raise ValueError(f"camera-height method must be 'fumet', 'normals' or 'plane', got "
                     f'{method!r}')


def horizon_row(normal: Tensor, K: Tensor, u: Union[Tensor, float, None] = None) -> Tensor:
    """Image row of the vanishing line of the plane with normal ``normal`` at column ``u``.

    The vanishing line holds the pixels whose ray is parallel to the plane,
    ``n . K^-1 (u, v, 1) = 0``; solved for ``v``. A level camera gives ``cy``; a camera
    pitched down by ``theta`` (``n = (0, -cos theta, -sin theta)``) gives
    ``cy - fy tan theta``.

    Args:
        normal: ``(B, 3)`` plane normals (any length; the sign does not matter).
        K: ``(3, 3)`` or ``(B, 3, 3)`` intrinsics.
        u: Column(s): a float, or a tensor broadcasting against ``(B,)``; default ``cx``.

    Returns:
        ``(B,)`` rows (NaN for a normal with no vanishing line, e.g. a plane facing the
        camera, or a NaN normal).
    """
    normal = torch.as_tensor(normal)
    if normal.dim() == 1:
        normal = normal.unsqueeze(0)
    K = as_batched_K(K, normal.shape[0], dtype=normal.dtype, device=normal.device)
    fx, fy, cx, cy, skew = K[:, 0, 0], K[:, 1, 1], K[:, 0, 2], K[:, 1, 2], K[:, 0, 1]
    u = cx if u is None else torch.as_tensor(u, dtype=normal.dtype, device=normal.device)
    nx, ny, nz = normal.unbind(-1)
    # Ray (x, y, 1) with y = (v - cy) / fy and x = (u - cx - skew * y) / fx.
    denom = ny - nx * skew / fx
    y = -(nz + nx * (u - cx) / fx) / denom
    y = torch.where(denom.abs() > 1e-12, y, torch.full_like(y, float('nan')))
    return cy + fy * y
