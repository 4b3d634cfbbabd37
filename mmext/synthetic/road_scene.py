"""Ray-cast street scenes for the synthetic KITTI twin: flat textured road, buildings, a far
backdrop and static boxes (cars, pedestrians, cyclists) standing on the road.

World frame (metres): x right, y *down*, z forward, the road is the plane ``y =
scene.ground_y`` and the camera of :func:`drive_poses` stays at ``y = 0``, i.e. exactly
``ground_y`` above the road. Cameras follow OpenCV (x right, y down, z forward); a pose
``T_world_cam`` maps camera-frame points to world points. Depth maps hold the camera z of
the seen point. Every ray hits something at most ``scene.backdrop_z - camera z`` metres
away (the backdrop is a plane ``z = backdrop_z`` facing the camera): no pixel is at infinity.

All textures are fixed in world (or object) coordinates and Lambert-shaded with one
directional light, so two views of a scene are photometrically consistent: warping one
view into another with the true depth and pose reproduces it (up to occlusions and
resampling). Textures are band-limited by the pixel footprint (octaves and stripes finer
than a pixel fade to their mean) so distant surfaces do not alias. Sines and cosines come
from the C library (:func:`mmext.utils.determinism.libm_sin`), not NumPy's CPU-dependent
SIMD kernels, so the rendered bytes do not depend on the machine.
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmext.utils.determinism import libm_cos, libm_sin

__all__ = ['OBJECT_TYPES', 'RoadScene', 'build_road_scene', 'drive_poses', 'render_view',
           'kitti_like_intrinsics']

# category -> footprint (width x, length z) in metres and height ~ N(mean, std)
OBJECT_TYPES: Dict[str, dict] = {
    'car': dict(size=(1.8, 4.0), height=(1.5, 0.05), material=2),
    'pedestrian': dict(size=(0.6, 0.5), height=(1.7, 0.08), material=3),
    'cyclist': dict(size=(0.6, 1.8), height=(1.75, 0.08), material=4),
}
_GROUND, _BACKDROP, _BUILDING = 0, 1, 5
_LIGHT = np.array([-0.35, -1.0, -0.45]) / np.linalg.norm([-0.35, -1.0, -0.45])  # towards light
_BODY_COLOURS = np.array([
    [0.75, 0.10, 0.10], [0.10, 0.25, 0.70], [0.85, 0.85, 0.85], [0.12, 0.12, 0.12],
    [0.85, 0.65, 0.10], [0.15, 0.50, 0.20], [0.55, 0.55, 0.60], [0.45, 0.20, 0.55]])
_CLOTHES = np.array([
    [0.80, 0.20, 0.20], [0.20, 0.35, 0.75], [0.90, 0.80, 0.20], [0.20, 0.60, 0.30],
    [0.90, 0.50, 0.10], [0.60, 0.20, 0.60], [0.25, 0.25, 0.30], [0.85, 0.85, 0.80]])
_FACADES = np.array([
    [0.75, 0.60, 0.45], [0.60, 0.55, 0.50], [0.80, 0.75, 0.65], [0.55, 0.35, 0.30],
    [0.70, 0.70, 0.72], [0.85, 0.80, 0.55]])


def kitti_like_intrinsics(image_size: Tuple[int, int]) -> np.ndarray:
    """monodepth2's normalised KITTI intrinsics at ``image_size = (W, H)``: ``fx = 0.58 W``,
    ``fy = 1.92 H``, ``cx = 0.5 W``, ``cy = 0.5 H`` (3x3 float64)."""
    W, H = image_size
    return np.array([[0.58 * W, 0., 0.5 * W], [0., 1.92 * H, 0.5 * H], [0., 0., 1.]])


@dataclass
class RoadScene:
    """A static street scene (see the module docstring for the frame).

    Boxes (objects and buildings) stand on the road: box ``i`` has its bottom centre at
    ``centre[i]`` (``y = ground_y``), ``size[i] = (width, height, length)`` along its own
    x, -y, z axes and is rotated by ``yaw[i]`` about the vertical. ``object_id[i]`` is
    ``k >= 1`` for the k-th object (``labels[k - 1]``, ``heights[k - 1]``), 0 for buildings.
    """
    ground_y: float
    road_half_width: float
    sidewalk_width: float
    backdrop_z: float
    centre: np.ndarray            # (M, 3)
    size: np.ndarray              # (M, 3) width, height, length
    yaw: np.ndarray               # (M,)
    material: np.ndarray          # (M,) int
    colour: np.ndarray            # (M, 3) main colour
    colour2: np.ndarray           # (M, 3) second colour (trousers, ...)
    object_id: np.ndarray         # (M,) int
    labels: List[str] = field(default_factory=list)
    heights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    noise: np.ndarray = field(default_factory=lambda: np.zeros((1, 1), np.float32))

    @property
    def num_objects(self) -> int:
        """Number of objects (cars, pedestrians, cyclists)."""
        return len(self.labels)


def drive_poses(num_frames: int, speed: float = 1.0, lateral_wobble: float = 0.0,
                yaw_wobble: float = 0.0, period: float = 12.0,
                phase: float = 0.0) -> np.ndarray:
    """Camera poses ``T_world_cam`` (num_frames, 4, 4) of a drive along +z at height 0.

    Frame ``i`` is at ``z = i * speed``, ``x = lateral_wobble * sin(2 pi i / period +
    phase)``, yawed by ``yaw_wobble * cos(...)`` radians; ``y`` is always 0 (the camera stays
    exactly ``scene.ground_y`` above the road).
    """
    poses = np.tile(np.eye(4), (num_frames, 1, 1))
    for i in range(num_frames):
        a = 2 * np.pi * i / period + phase
        yaw = yaw_wobble * libm_cos(a)
        c, s = libm_cos(yaw), libm_sin(yaw)
        poses[i, :3, :3] = [[c, 0., s], [0., 1., 0.], [-s, 0., c]]
        poses[i, :3, 3] = [lateral_wobble * libm_sin(a), 0., i * speed]
    return poses


def _place_objects(rng: np.random.Generator, z_range: Tuple[float, float], density: float,
                   road_half_width: float, sidewalk_width: float,
                   mix: Sequence[Tuple[str, float]]) -> List[dict]:
    names = [m[0] for m in mix]
    probs = np.array([m[1] for m in mix], dtype=np.float64)
    probs /= probs.sum()
    n = rng.poisson(density * (z_range[1] - z_range[0]))
    placed: List[dict] = []
    for _ in range(20 * n):
        if len(placed) >= n:
            break
        label = names[rng.choice(len(names), p=probs)]
        spec = OBJECT_TYPES[label]
        w, length = spec['size']
        h = float(rng.normal(*spec['height']))
        side = rng.choice([-1.0, 1.0])
        if label == 'car':   # parked at the kerb or in the next lane
            x = side * (rng.uniform(3.2, 3.8) if rng.random() < 0.5
                        else road_half_width - rng.uniform(1.0, 1.3))
            yaw = rng.normal(0.0, 0.08)
        else:                # on the sidewalk, or on the road away from the camera's lane
            x = side * (rng.uniform(road_half_width + 0.4, road_half_width + sidewalk_width - 0.4)
                        if rng.random() < 0.7 else rng.uniform(2.3, road_half_width - 0.5))
            yaw = rng.uniform(-np.pi, np.pi) if label == 'pedestrian' else rng.normal(0, 0.1)
        z = rng.uniform(*z_range)
        r = 0.5 * np.hypot(w, length)
        if any(np.hypot(x - o['x'], z - o['z']) < r + o['r'] + 0.4 for o in placed):
            continue
        placed.append(dict(label=label, x=x, z=z, r=r, w=w, l=length, h=h, yaw=yaw))
    return placed


def build_road_scene(rng: np.random.Generator, length: float, camera_height: float = 1.65,
                     road_half_width: float = 6.0, sidewalk_width: float = 3.0,
                     max_depth: float = 80.0, object_density: float = 0.3,
                     object_mix: Sequence[Tuple[str, float]] = (('car', 0.6),
                                                                ('pedestrian', 0.4)),
                     start_z: float = 0.0) -> RoadScene:
    """Random street for a camera driving from ``z = start_z`` to ``start_z + length``.

    Args:
        rng: Random generator (determines the scene).
        length: Distance driven (m); objects and buildings cover it plus the view ahead.
        camera_height: Height of the camera above the road (``ground_y``).
        road_half_width: Road from ``x = -w`` to ``w`` (lanes of 3.5 m around x = 0).
        sidewalk_width: Sidewalks beyond the road; buildings start behind them.
        max_depth: The backdrop is ``0.95 * max_depth`` ahead of the first camera.
        object_density: Mean number of objects per metre of road.
        object_mix: ``(category, weight)`` pairs of :data:`OBJECT_TYPES`.
        start_z: z of the first camera.
    """
    for name, _ in object_mix:
        if name not in OBJECT_TYPES:
            raise ValueError(f'unknown object category {name!r}; known: {sorted(OBJECT_TYPES)}')
    backdrop_z = start_z + 0.95 * max_depth
    objs = _place_objects(rng, (start_z + 4.0, backdrop_z - 10.0), object_density,
                          road_half_width, sidewalk_width, object_mix)
    centre, size, yaw, material, colour, colour2, oid = [], [], [], [], [], [], []
    for k, o in enumerate(objs, start=1):
        centre.append((o['x'], camera_height, o['z']))
        size.append((o['w'], o['h'], o['l']))
        yaw.append(o['yaw'])
        material.append(OBJECT_TYPES[o['label']]['material'])
        pal = _BODY_COLOURS if o['label'] == 'car' else _CLOTHES
        colour.append(pal[rng.integers(len(pal))])
        colour2.append(_CLOTHES[rng.integers(len(_CLOTHES))] * 0.6)
        oid.append(k)
    x0 = road_half_width + sidewalk_width
    for side in (-1.0, 1.0):  # rows of buildings with random setbacks, sizes and gaps
        z = start_z - 15.0
        while z < backdrop_z:
            bl = rng.uniform(8.0, 25.0)
            setback, depth = rng.uniform(0.0, 3.0), rng.uniform(8.0, 15.0)
            centre.append((side * (x0 + setback + depth / 2), camera_height, z + bl / 2))
            size.append((depth, rng.uniform(6.0, 20.0), bl))
            yaw.append(0.0)
            material.append(_BUILDING)
            colour.append(_FACADES[rng.integers(len(_FACADES))])
            colour2.append(np.zeros(3))
            oid.append(0)
            z += bl + (rng.uniform(2.0, 8.0) if rng.random() < 0.3 else 0.0)
    return RoadScene(
        ground_y=float(camera_height), road_half_width=road_half_width,
        sidewalk_width=sidewalk_width, backdrop_z=float(backdrop_z),
        centre=np.array(centre, dtype=np.float64).reshape(-1, 3),
        size=np.array(size, dtype=np.float64).reshape(-1, 3),
        yaw=np.array(yaw, dtype=np.float64), material=np.array(material, dtype=np.int64),
        colour=np.array(colour, dtype=np.float64).reshape(-1, 3),
        colour2=np.array(colour2, dtype=np.float64).reshape(-1, 3),
        object_id=np.array(oid, dtype=np.int64), labels=[o['label'] for o in objs],
        heights=np.array([o['h'] for o in objs], dtype=np.float64),
        noise=rng.random((512, 512)).astype(np.float32))


# ----------------------------------------------------------------------------- textures
def _value_noise(table: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    n = table.shape[0]
    ia, ib = np.floor(a), np.floor(b)
    fa, fb = a - ia, b - ib
    fa, fb = fa * fa * (3 - 2 * fa), fb * fb * (3 - 2 * fb)
    ia, ib = ia.astype(np.int64) % n, ib.astype(np.int64) % n
    ja, jb = (ia + 1) % n, (ib + 1) % n
    top = table[ia, ib] * (1 - fa) + table[ja, ib] * fa
    bot = table[ia, jb] * (1 - fa) + table[ja, jb] * fa
    return top * (1 - fb) + bot * fb


def _fbm(table: np.ndarray, a: np.ndarray, b: np.ndarray, base: float, octaves: int,
         footprint: np.ndarray, seed: float = 0.0, gain: float = 0.55) -> np.ndarray:
    """Fractal value noise in [0, 1] with lattice spacing ``base / 2**k``; octaves whose
    spacing is below two pixel footprints fade to their mean 0.5 (anti-aliasing); octave k
    has amplitude ``gain**k``."""
    out = np.zeros_like(a)
    total = 0.0
    for k in range(octaves):
        s, amp = base / 2 ** k, gain ** k
        w = np.clip(s / np.maximum(footprint, 1e-9) - 1.0, 0.0, 1.0)
        off = 97.31 * k + 13.7 * seed
        val = np.where(w > 0, _value_noise(table, a / s + off, b / s - off), 0.5)
        out += amp * (w * val + (1 - w) * 0.5)
        total += amp
    return out / total


def _box_stripe(x: np.ndarray, lo: float, hi: float, fp: np.ndarray) -> np.ndarray:
    """Coverage of the band ``lo <= x <= hi`` by a pixel of width ``fp`` centred at x."""
    fp = np.maximum(fp, 1e-9)
    return np.clip((np.minimum(x + fp / 2, hi) - np.maximum(x - fp / 2, lo)) / fp, 0.0, 1.0)


def _periodic_stripes(x: np.ndarray, period: float, duty: float, fp: np.ndarray) -> np.ndarray:
    """Box-filtered square wave: 1 on ``[0, duty * period)`` of every period."""
    fp = np.maximum(fp, 1e-9)

    def integral(t):
        k = np.floor(t / period)
        return k * duty * period + np.minimum(t - k * period, duty * period)

    return np.clip((integral(x + fp / 2) - integral(x - fp / 2)) / fp, 0.0, 1.0)


def _ground_colour(scene: RoadScene, X, Z, fp_x, fp_z, fp):
    t = scene.noise
    rw = scene.road_half_width
    asphalt = np.array([0.34, 0.34, 0.36])[None] * (
        0.5 + 1.0 * _fbm(t, X, Z, 1.6, 6, fp, seed=1.0, gain=0.85))[:, None]
    lines = np.zeros_like(X)
    for x0 in (-1.75, 1.75, -5.25, 5.25):      # dashed lane separators (3 m of every 9 m)
        if abs(x0) < rw - 0.3:
            lines = np.maximum(lines, _box_stripe(X, x0 - 0.075, x0 + 0.075, fp_x)
                               * _periodic_stripes(Z + 1.0, 9.0, 1 / 3, fp_z))
    for x0 in (-(rw - 0.25), rw - 0.25):      # solid edge lines
        lines = np.maximum(lines, _box_stripe(X, x0 - 0.1, x0 + 0.1, fp_x))
    road = asphalt * (1 - lines[:, None]) + 0.88 * lines[:, None]
    grout = 1 - 0.35 * np.maximum(_periodic_stripes(X, 0.6, 0.08, fp_x),
                                  _periodic_stripes(Z, 0.6, 0.08, fp_z))
    walk = np.array([0.58, 0.54, 0.49])[None] * (
        (0.6 + 0.8 * _fbm(t, X, Z, 1.2, 5, fp, seed=2.0, gain=0.8)) * grout)[:, None]
    return np.where((np.abs(X) < rw)[:, None], road, walk)


def _backdrop_colour(scene: RoadScene, X, Y, fp):
    t = scene.noise
    elev = scene.ground_y - Y
    hills = 4.0 + 14.0 * _fbm(t, X, np.full_like(X, 3.3), 40.0, 4, fp, seed=3.0)
    sky = np.array([0.55, 0.70, 0.92])[None] + 0.25 * (1 - np.clip(elev / 40, 0, 1))[:, None]
    clouds = np.clip(2.2 * _fbm(t, X, Y, 16.0, 5, fp, seed=4.0) - 1.0, 0, 1)[:, None]
    sky = sky * (1 - clouds) + 0.95 * clouds
    land = np.array([0.30, 0.42, 0.22])[None] * (
        0.6 + 0.8 * _fbm(t, X, Y, 6.0, 5, fp, seed=5.0))[:, None]
    cover = _box_stripe(elev, -1e3, hills, fp)[:, None]
    return land * cover + sky * (1 - cover)


def _box_colour(scene: RoadScene, idx, local, axis, fp):
    """Colour of hits on box ``idx`` (vector) at box-local points, by hit face ``axis``."""
    t = scene.noise
    mat = scene.material[idx]
    h = scene.size[idx, 1]
    e = -local[:, 1]                                         # height above the road
    along = np.where(axis == 0, local[:, 2], local[:, 0])    # horizontal coordinate on the face
    vert = np.where(axis == 1, local[:, 2], e)
    seed = idx * 7.31
    tex = _fbm(t, along + seed, vert - seed, 0.8, 5, fp, seed=6.0, gain=0.8)
    base = scene.colour[idx] * (0.8 + 0.4 * tex)[:, None]
    out = base.copy()
    side = axis != 1
    # cars: dark wheel band, glass band on the sides
    car = mat == 2
    glass = car & side
    g = (_box_stripe(e / h, 0.55, 0.9, fp / h) * glass)[:, None]
    out = out * (1 - g) + np.array([0.12, 0.16, 0.2]) * (0.8 + 0.4 * tex)[:, None] * g
    wheels = (_box_stripe(e / h, -1.0, 0.25, fp / h) * (car & side))[:, None]
    out = out * (1 - wheels) + 0.07 * wheels
    # pedestrians and cyclists: legs (colour2) below 45 %, head above 87 %
    person = (mat == 3) | (mat == 4)
    legs = (_box_stripe(e / h, -1.0, 0.45, fp / h) * person)[:, None]
    out = out * (1 - legs) + scene.colour2[idx] * (0.8 + 0.4 * tex)[:, None] * legs
    head = (_box_stripe(e / h, 0.87, 2.0, fp / h) * person)[:, None]
    out = out * (1 - head) + np.array([0.85, 0.66, 0.52]) * head
    # buildings: grid of windows above the ground floor, grey roof
    bld = mat == _BUILDING
    win = _periodic_stripes(along + 0.8, 3.0, 0.45, fp) * _periodic_stripes(e - 1.0, 3.0, 0.5, fp)
    win = (win * bld * side * _box_stripe(e, 3.5, 1e4, fp))[:, None]
    out = out * (1 - win) + np.array([0.16, 0.2, 0.26]) * (0.8 + 0.4 * tex)[:, None] * win
    roof = (bld & ~side)[:, None]
    return np.where(roof, 0.45 * (0.8 + 0.4 * tex)[:, None], out)


# ----------------------------------------------------------------------------- rendering
def _box_rotation(yaw: float) -> np.ndarray:
    c, s = libm_cos(yaw), libm_sin(yaw)
    return np.array([[c, 0., s], [0., 1., 0.], [-s, 0., c]])  # local -> world


def _box_corners(scene: RoadScene, i: int) -> np.ndarray:
    w, h, ln = scene.size[i]
    xs, ys, zs = np.meshgrid([-w / 2, w / 2], [-h, 0.0], [-ln / 2, ln / 2], indexing='ij')
    local = np.stack([xs.ravel(), ys.ravel(), zs.ravel()], -1)
    return local @ _box_rotation(scene.yaw[i]).T + scene.centre[i]


_EDGES = [(a, b) for a in range(8) for b in range(a + 1, 8) if bin(a ^ b).count('1') == 1]


def _pixel_window(corners_cam: np.ndarray, K: np.ndarray, W: int, H: int,
                  near: float = 0.05) -> Optional[Tuple[int, int, int, int]]:
    """Pixel rectangle ``(u0, u1, v0, v1)`` covering a box (clipped at the near plane)."""
    z = corners_cam[:, 2]
    if (z < near).all():
        return None
    pts = [corners_cam[z >= near]]
    for a, b in _EDGES:                      # edges crossing the near plane
        if (z[a] < near) != (z[b] < near):
            s = (near - z[a]) / (z[b] - z[a])
            pts.append((corners_cam[a] + s * (corners_cam[b] - corners_cam[a]))[None])
    p = np.concatenate(pts) @ K.T
    uv = p[:, :2] / p[:, 2:]
    u0, v0 = np.floor(uv.min(0)).astype(int) - 1
    u1, v1 = np.ceil(uv.max(0)).astype(int) + 2
    u0, v0, u1, v1 = max(u0, 0), max(v0, 0), min(u1, W), min(v1, H)
    if u0 >= u1 or v0 >= v1:
        return None
    return u0, u1, v0, v1


def render_view(scene: RoadScene, T_world_cam: np.ndarray, K: np.ndarray,
                image_size: Tuple[int, int]) -> Dict[str, np.ndarray]:
    """Render the scene from a pinhole camera.

    Args:
        scene: The scene.
        T_world_cam: ``(4, 4)`` camera-to-world transform (OpenCV camera axes).
        K: ``(3, 3)`` intrinsics; pixel ``(u, v)`` has its centre at integer coordinates.
        image_size: ``(W, H)``.

    Returns:
        ``rgb`` uint8 (H, W, 3), ``depth`` float32 (H, W) camera z in metres (finite
        everywhere), ``road`` bool (H, W) (road surface incl. lane markings, not sidewalks),
        ``instances`` int32 (H, W) (``scene.object_id`` of the visible object, 0 = none).
    """
    W, H = int(image_size[0]), int(image_size[1])
    K = np.asarray(K, dtype=np.float64)
    T = np.asarray(T_world_cam, dtype=np.float64)
    R, C = T[:3, :3], T[:3, 3]
    u, v = np.meshgrid(np.arange(W, dtype=np.float64), np.arange(H, dtype=np.float64))
    x = (u - K[0, 2] - K[0, 1] * (v - K[1, 2]) / K[1, 1]) / K[0, 0]
    y = (v - K[1, 2]) / K[1, 1]
    d = np.stack([x, y, np.ones_like(x)], -1) @ R.T          # world rays, camera z = 1
    with np.errstate(divide='ignore', invalid='ignore'):
        t_back = np.where(d[..., 2] > 0, (scene.backdrop_z - C[2]) / d[..., 2], np.inf)
        t_ground = np.where(d[..., 1] > 0, (scene.ground_y - C[1]) / d[..., 1], np.inf)
    t = np.minimum(t_back, t_ground)
    prim = np.where(t_ground < t_back, -2, -1)               # -2 ground, -1 backdrop, i box
    axis = np.zeros((H, W), dtype=np.int64)                  # hit face axis (boxes)
    sign = np.zeros((H, W))
    cam_from_world = R.T
    for i in range(len(scene.size)):
        corners = (_box_corners(scene, i) - C) @ cam_from_world.T
        win = _pixel_window(corners, K, W, H)
        if win is None:
            continue
        u0, u1, v0, v1 = win
        Rb = _box_rotation(scene.yaw[i])
        dl = d[v0:v1, u0:u1] @ Rb                            # local ray directions
        dl = np.where(np.abs(dl) < 1e-12, 1e-12, dl)
        ol = Rb.T @ (C - scene.centre[i])
        w, h, ln = scene.size[i]
        lo, hi = np.array([-w / 2, -h, -ln / 2]), np.array([w / 2, 0.0, ln / 2])
        t1, t2 = (lo - ol) / dl, (hi - ol) / dl
        tmin = np.minimum(t1, t2)
        tnear, tfar = tmin.max(-1), np.maximum(t1, t2).min(-1)
        cur = t[v0:v1, u0:u1]
        hit = (tnear <= tfar) & (tnear > 1e-6) & (tnear < cur)
        if not hit.any():
            continue
        ax = tmin.argmax(-1)
        cur[hit] = tnear[hit]
        prim[v0:v1, u0:u1][hit] = i
        axis[v0:v1, u0:u1][hit] = ax[hit]
        sign[v0:v1, u0:u1][hit] = -np.sign(np.take_along_axis(dl, ax[..., None], -1)[..., 0])[hit]

    P = C + t[..., None] * d                                 # world hit points
    f = min(K[0, 0], K[1, 1])
    dn = d / np.linalg.norm(d, axis=-1, keepdims=True)
    rgb = np.zeros((H, W, 3))
    g = prim == -2
    if g.any():
        cos = np.maximum(np.abs(dn[g][:, 1]), 0.05)
        fp = t[g] / (f * cos)
        rgb[g] = _ground_colour(scene, P[g][:, 0], P[g][:, 2], t[g] / K[0, 0], fp, fp)
        rgb[g] *= 0.5 + 0.5 * float(-_LIGHT[1])          # normal (0, -1, 0) points up
    b = prim == -1
    if b.any():
        cos = np.maximum(np.abs(dn[b][:, 2]), 0.05)
        rgb[b] = _backdrop_colour(scene, P[b][:, 0], P[b][:, 1], t[b] / (f * cos))
    bx = prim >= 0
    if bx.any():
        idx = prim[bx]
        ax, sg = axis[bx], sign[bx]
        local = np.empty((len(idx), 3))
        n_world = np.empty((len(idx), 3))
        Pb = P[bx]
        for i in np.unique(idx):
            m = idx == i
            Rb = _box_rotation(scene.yaw[i])
            local[m] = (Pb[m] - scene.centre[i]) @ Rb
            nl = np.zeros((m.sum(), 3))
            nl[np.arange(m.sum()), ax[m]] = sg[m]
            n_world[m] = nl @ Rb.T
        cos = np.maximum(np.abs((n_world * dn[bx]).sum(-1)), 0.05)
        fp = t[bx] / (f * cos)
        shade = 0.5 + 0.5 * np.maximum(n_world @ _LIGHT, 0.0)
        rgb[bx] = _box_colour(scene, idx, local, ax, fp) * shade[:, None]
    oid = np.where(bx, scene.object_id[np.maximum(prim, 0)], 0).astype(np.int32)
    road = g & (np.abs(P[..., 0]) < scene.road_half_width)
    return dict(rgb=np.clip(np.round(rgb * 255), 0, 255).astype(np.uint8),
                depth=t.astype(np.float32), road=road, instances=oid)
