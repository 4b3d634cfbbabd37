"""Ray-cast renderer of analytic solids on a (possibly tilted) table, for tests and synthetic
food trays.

The camera sits at the origin looking along +z (OpenCV convention). The table is the plane at
distance ``height`` from the camera whose upward normal is tilted by ``tilt_x`` / ``tilt_y``
radians from the optical axis. Solids are placed in table coordinates: ``(x, y)`` on the table
(metres, origin below the camera), ``z`` up towards the camera. Every solid has a closed-form
volume, so the depth maps it renders test volume integration against exact numbers.
"""
from dataclasses import dataclass
from typing import List, Sequence, Tuple

import numpy as np

from mmext.utils.determinism import libm_cos, libm_sin

__all__ = ['Box', 'Cylinder', 'SphericalCap', 'TableScene', 'render_scene', 'intrinsics']

_INF = np.inf


def intrinsics(fx: float, fy: float, cx: float, cy: float) -> np.ndarray:
    """3x3 pinhole matrix."""
    return np.array([[fx, 0., cx], [0., fy, cy], [0., 0., 1.]])


@dataclass
class Box:
    """Box standing on ``z = z0``: centre ``(cx, cy)``, sides ``sx, sy``, height ``h``, yaw."""
    cx: float
    cy: float
    sx: float
    sy: float
    h: float
    yaw: float = 0.0
    z0: float = 0.0

    @property
    def volume(self) -> float:
        return self.sx * self.sy * self.h

    def intersect(self, o: np.ndarray, d: np.ndarray) -> np.ndarray:
        c, s = libm_cos(self.yaw), libm_sin(self.yaw)
        R = np.array([[c, s, 0.], [-s, c, 0.], [0., 0., 1.]])  # table -> box frame
        shift = np.array([self.cx, self.cy, self.z0])
        ob, db = R @ (o - shift), d @ R.T
        lo = np.array([-self.sx / 2, -self.sy / 2, 0.])
        hi = np.array([self.sx / 2, self.sy / 2, self.h])
        with np.errstate(divide='ignore', invalid='ignore'):
            t1, t2 = (lo - ob) / db, (hi - ob) / db
        tmin = np.nan_to_num(np.minimum(t1, t2), nan=-_INF).max(-1)
        tmax = np.nan_to_num(np.maximum(t1, t2), nan=_INF).min(-1)
        return np.where((tmin <= tmax) & (tmin > 0), tmin, _INF)


@dataclass
class Cylinder:
    """Upright cylinder on ``z = z0``: centre ``(cx, cy)``, radius ``r``, height ``h``."""
    cx: float
    cy: float
    r: float
    h: float
    z0: float = 0.0

    @property
    def volume(self) -> float:
        return np.pi * self.r ** 2 * self.h

    def intersect(self, o: np.ndarray, d: np.ndarray) -> np.ndarray:
        oc = o - np.array([self.cx, self.cy, self.z0])
        with np.errstate(divide='ignore', invalid='ignore'):
            t_top = (self.h - oc[2]) / d[..., 2]
        x, y = oc[0] + t_top * d[..., 0], oc[1] + t_top * d[..., 1]
        top = np.where((x * x + y * y <= self.r ** 2) & (t_top > 0), t_top, _INF)
        a = d[..., 0] ** 2 + d[..., 1] ** 2
        b = 2 * (oc[0] * d[..., 0] + oc[1] * d[..., 1])
        cc = oc[0] ** 2 + oc[1] ** 2 - self.r ** 2
        disc = b * b - 4 * a * cc
        with np.errstate(invalid='ignore', divide='ignore'):
            t_side = (-b - np.sqrt(disc)) / (2 * a)
        z = oc[2] + t_side * d[..., 2]
        side = np.where((disc >= 0) & (t_side > 0) & (z >= 0) & (z <= self.h), t_side, _INF)
        return np.minimum(top, side)


@dataclass
class SphericalCap:
    """Spherical cap on ``z = z0``: base centre ``(cx, cy)``, base radius ``a``, height ``h``
    (``h <= a``: at most a hemisphere, so its top is a height field)."""
    cx: float
    cy: float
    a: float
    h: float
    z0: float = 0.0

    @property
    def volume(self) -> float:
        return np.pi * self.h * (3 * self.a ** 2 + self.h ** 2) / 6

    def intersect(self, o: np.ndarray, d: np.ndarray) -> np.ndarray:
        R = (self.a ** 2 + self.h ** 2) / (2 * self.h)
        oc = o - np.array([self.cx, self.cy, self.z0 + self.h - R])
        a = (d * d).sum(-1)
        b = 2 * (d @ oc)
        c = oc @ oc - R * R
        disc = b * b - 4 * a * c
        with np.errstate(invalid='ignore'):
            t = (-b - np.sqrt(disc)) / (2 * a)
        z = oc[2] + t * d[..., 2] + (self.h - R)  # height above the cap base
        return np.where((disc >= 0) & (t > 0) & (z >= 0), t, _INF)


@dataclass
class TableScene:
    """Camera intrinsics, image size, table pose and the solids on it."""
    K: np.ndarray
    size: Tuple[int, int]          # (H, W)
    height: float = 0.359          # camera-to-table distance (m), Nutrition5k's 35.9 cm
    tilt_x: float = 0.0            # rotation of the table normal about the camera x axis (rad)
    tilt_y: float = 0.0            # rotation about the camera y axis (rad)
    solids: Sequence = ()

    def frame(self) -> Tuple[np.ndarray, np.ndarray]:
        """Table origin (camera frame) and the 3x3 matrix whose columns are e1, e2, up."""
        cx_, sx_ = libm_cos(self.tilt_x), libm_sin(self.tilt_x)
        cy_, sy_ = libm_cos(self.tilt_y), libm_sin(self.tilt_y)
        Rx = np.array([[1, 0, 0], [0, cx_, -sx_], [0, sx_, cx_]])
        Ry = np.array([[cy_, 0, sy_], [0, 1, 0], [-sy_, 0, cy_]])
        # Untilted table frame: x right, y towards -v (image up), up = -z (towards camera).
        E0 = np.array([[1., 0., 0.], [0., -1., 0.], [0., 0., -1.]])
        E = Ry @ Rx @ E0
        origin = -self.height * E[:, 2]
        return origin, E

    def plane(self) -> np.ndarray:
        """Table plane ``(n, d)`` in the camera frame, normal towards the camera."""
        _, E = self.frame()
        return np.concatenate([E[:, 2], [self.height]])


def render_scene(scene: TableScene) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ray-cast a scene.

    Returns:
        ``depth`` (H, W) z-depth in metres, ``label`` (H, W) int (0 table, i+1 for solid i,
        -1 nothing hit), ``local`` (H, W, 3) table-frame coordinates of the hit points.
    """
    H, W = scene.size
    v, u = np.mgrid[0:H, 0:W].astype(np.float64)
    K = np.asarray(scene.K, dtype=np.float64)
    rays = np.stack([u, v, np.ones_like(u)], -1) @ np.linalg.inv(K).T     # z component 1
    origin, E = scene.frame()
    o_l, d_l = E.T @ (-origin), rays @ E                                   # table frame
    with np.errstate(divide='ignore'):
        t_table = -o_l[2] / d_l[..., 2]
    best = np.where(t_table > 0, t_table, _INF)
    label = np.where(np.isfinite(best), 0, -1)
    for i, solid in enumerate(scene.solids):
        t = solid.intersect(o_l, d_l)
        closer = t < best
        best = np.where(closer, t, best)
        label = np.where(closer, i + 1, label)
    depth = np.where(np.isfinite(best), best, 0.0)
    local = o_l + depth[..., None] * d_l
    return depth, label, local


def solid_volumes(solids: List) -> np.ndarray:
    """Analytic volumes of a list of solids (m^3)."""
    return np.array([s.volume for s in solids], dtype=np.float64)
