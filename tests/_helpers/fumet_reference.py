"""FUMET's training formulas (kyotovision-public/fumet, trainer_kitti.py / trainer_base.py /
utils.py at 5866cf0), restated independently of mmext for the tests to compare against.

Everything works on plain tensors in FUMET's conventions: points ``(B, H, W, 3)``, road
masks ``(B, H, W)``, instance masks flattened over the batch ``(N, H, W)`` with the
number of instances per image.
"""
import math
from typing import List, Sequence

import torch


def shifted(pts: torch.Tensor, dv: int, du: int) -> torch.Tensor:
    """``P(v + dv, u + du) - P(v, u)`` with wrap-around (FUMET rolls the tensor)."""
    return torch.roll(pts, shifts=(-dv, -du), dims=(1, 2)) - pts


def normals(pts: torch.Tensor) -> torch.Tensor:
    """``cam_pts2normal_with_cross_prod``: its vector list is
    [right, up-right, up-right, up, up-left, left, down-left, down, down-right] and it sums
    ``list[i] x list[(i + 2) mod 8]`` for i = 0..7 (index 8 is never reached)."""
    vecs = [shifted(pts, 0, 1), shifted(pts, -1, 1), shifted(pts, -1, 1), shifted(pts, -1, 0),
            shifted(pts, -1, -1), shifted(pts, 0, -1), shifted(pts, 1, -1),
            shifted(pts, 1, 0), shifted(pts, 1, 1)]
    total = 0
    for i in range(8):
        total = total + torch.linalg.cross(vecs[i], vecs[(i + 2) % 8], dim=-1)
    return total / total.norm(dim=-1, keepdim=True)


def cam_height_loss(pts: torch.Tensor, road: torch.Tensor, target: float):
    """``compute_cam_heights_and_road_normals`` on the images with road: returns
    (loss, frame heights, down-normals)."""
    n = normals(pts)
    per_pixel = (pts * -n).sum(-1)
    road = road.clone()
    road[:, -1, :] = 0
    road[:, :, 0] = 0
    road[:, :, -1] = 0
    loss, heights, downs = 0.0, [], []
    for b in range(pts.shape[0]):
        sel = road[b] == 1
        h = per_pixel[b][sel]
        s = n[b][sel].detach().sum(0)
        downs.append(-s / s.norm())
        heights.append(h.detach().quantile(0.5))
        loss = loss + (target - h).abs().mean()
    return loss / pts.shape[0], torch.stack(heights), torch.stack(downs)


def road_images(road: torch.Tensor) -> torch.Tensor:
    """Images whose road area exceeds ``int(W * H * 0.01)`` (``min_road_area``)."""
    H, W = road.shape[-2:]
    return road.sum((1, 2)) > int(W * H * 0.01)


def pix_heights(masks: torch.Tensor) -> torch.Tensor:
    """``masks_to_pix_heights``: ``max(v) - min(v)`` of each mask."""
    out = []
    for m in masks:
        rows = torch.nonzero(m)[:, 0]
        out.append(rows.max() - rows.min())
    return torch.stack(out)


def rough_loss(depth_per_inst: torch.Tensor, masks: torch.Tensor, heights: torch.Tensor,
               fy: float, frames_with_instances: int) -> torch.Tensor:
    """``compute_rough_metric_loss``: depth repeated per instance ``(N, H, W)``."""
    pred = pix_heights(masks).to(depth_per_inst)[:, None, None] * depth_per_inst / fy
    m = masks.to(depth_per_inst)
    per_inst = ((heights[:, None, None] - pred) * m).abs().sum((1, 2)) / m.sum((1, 2))
    return per_inst.mean() / frames_with_instances


def scaled_cam_heights(masks: torch.Tensor, n_inst: Sequence[int], downs: torch.Tensor,
                       pts: torch.Tensor, frame_heights: torch.Tensor,
                       heights: torch.Tensor) -> torch.Tensor:
    """``compute_scaled_cam_heights`` (with ``compute_projected_obj_heights``): per frame,
    NaN without instances. The projection onto FUMET's (x, normal) plane and the shift by
    its origin leave ``y = n_down . P - h``."""
    nx, ny = downs[:, 0], downs[:, 1]
    origin = torch.stack([torch.zeros_like(ny), frame_heights / ny, torch.zeros_like(ny)], 1)
    root = torch.sqrt(ny ** 2 / (nx ** 2 + ny ** 2))
    x_basis = torch.stack([root, -root, torch.zeros_like(root)], 1)
    z_basis = torch.linalg.cross(x_basis, downs, dim=-1)
    along_z = torch.einsum('bhwk,bk->bhw', pts, z_basis)
    proj = pts - z_basis[:, None, None] * along_z[..., None] - origin[:, None, None]
    ys = torch.einsum('bhwk,bk->bhw', proj, downs)
    extents, i = [], 0
    for b, n in enumerate(n_inst):
        for _ in range(n):
            r = ys[b][masks[i]]
            extents.append(-r.min() if r.max() < 0 else r.max() - r.min())
            i += 1
    scales = heights / torch.stack(extents)
    out, i = [], 0
    for b, n in enumerate(n_inst):
        chunk = scales[i:i + n]
        out.append(chunk.quantile(0.5) if n else torch.tensor(float('nan')))
        i += n
    return torch.stack(out).to(pts) * frame_heights


def gradual_rates(epoch: int, keep: int = 1, limit: int = 20, rough_min: float = 0.005):
    """``set_gradual_loss_weights``: (fine rate, rough rate) at 0-based ``epoch``."""
    if epoch // keep < limit // keep:
        r = math.log(epoch // keep + 1) / math.log(limit // keep + 1)
        return r, 1 - r
    return 1.0, rough_min


def cam_height_targets(estimates: List[float], first_update_epoch: int = 1) -> List[float]:
    """``TrainerKITTI.train``'s update (no initial height): the target after each 0-based
    epoch given that epoch's median estimate (NaN while there is none)."""
    out, prev, exists = [], None, False
    for epoch, est in enumerate(estimates):
        e = epoch
        if epoch == first_update_epoch:
            prev, exists = 0.0, True
        if first_update_epoch == 0:
            e += 1
        if exists:
            prev = (prev * (e - 1) * e / 2 + e * est) / (e * (e + 1) / 2)
        out.append(prev if exists else float('nan'))
    return out


def road_exempt_min(reproj: torch.Tensor, identity: torch.Tensor,
                    road: torch.Tensor) -> torch.Tensor:
    """The per-pixel loss with ``--disable_road_masking``: ``reproj`` / ``identity``
    ``(B, S, H, W)`` (identity already with its tie-breaking noise)."""
    combined = torch.cat([reproj, identity], 1)
    to_opt, idx = combined.min(1)
    area = reproj.shape[-1] * reproj.shape[-2]
    chosen = (idx < reproj.shape[1]).float().sum((1, 2))
    moving = (1 - chosen / area) < 0.75
    sel = (moving[:, None, None] * road) > 0
    to_opt = to_opt.clone()
    to_opt[sel] = reproj.amin(1)[sel]
    return to_opt


def outlier_ratios(pts: torch.Tensor, road: torch.Tensor, masks: torch.Tensor,
                   n_inst: Sequence[int], K: torch.Tensor) -> torch.Tensor:
    """``--remove_outliers``: least-squares road plane (``pinv(A) @ 1``), horizon
    ``K^-T n``, signed pixel distances built from two horizon points A (u=0) and B (u=1)
    (``|AP x AB| / |AB|``, positive above), ratio ``(|bottom| + top + 1) / |bottom|`` per
    instance (10000 when the whole mask is above the horizon)."""
    H, W = road.shape[-2:]
    vv, uu = torch.meshgrid(torch.arange(H, dtype=torch.float64),
                            torch.arange(W, dtype=torch.float64), indexing='ij')
    ratios, i = [], 0
    for b, n in enumerate(n_inst):
        A = pts[b][road[b] == 1]
        normal = torch.linalg.pinv(A) @ torch.ones(A.shape[0], 1, dtype=A.dtype)
        normal = normal / torch.linalg.norm(normal)
        hz = (torch.linalg.inv(K[b]).T @ normal)[:, 0]
        pa = torch.stack([torch.tensor(0.0, dtype=hz.dtype), -hz[2] / hz[1]])
        pb = torch.stack([torch.tensor(1.0, dtype=hz.dtype), -(hz[0] + hz[2]) / hz[1]])
        ab = pb - pa
        apx, apy = uu - pa[0], vv - pa[1]
        dist = (apx * ab[1] - apy * ab[0]) / ab.norm()
        for _ in range(n):
            d = dist[masks[i]]
            top, bottom = d.max(), d.min()
            r = (bottom.abs() + top + 1) / bottom.abs()
            ratios.append(torch.tensor(10000.0, dtype=r.dtype) if bottom > 0 else r)
            i += 1
    return torch.stack(ratios)
