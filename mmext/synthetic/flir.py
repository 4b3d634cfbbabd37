"""Synthetic paired thermal/RGB detection data in the FLIR ADAS v1.3 on-disk layout.

Layout written under ``out_dir`` (the same as the real release, per split)::

    <split>/thermal_8_bit/FLIR_00001.jpeg     8-bit thermal frames
    <split>/RGB/FLIR_00001.jpg                paired RGB frames (a few are missing, as in v1.3)
    <split>/thermal_annotations.json          COCO, FLIR category ids (1, 2, 3, 18, 91)
    <split>/rgb_annotations.json              synthetic extra: the same objects in RGB pixels
    rgb_to_thermal_homography.json            3x3 maps RGB pixels -> thermal pixels (and inverse)
    synthetic_info.json                       generator parameters (seed, counts, sizes)

Scenes are a road under a horizon with persons, cars and bicycles whose sizes grow towards
the bottom of the frame (a ground-plane perspective) and with class-typical shapes and
intensities: warm persons (bright), cars with warm wheels and cool windows, thin bicycles.
The RGB frame shows the same scene in colour through a *different* camera: it is related
to the thermal frame by the known homography, so a box found in RGB has to be mapped before
it can label a thermal frame. Every image is drawn from its own seeded generator, so the
data are deterministic and independent of generation order and of the CPU's SIMD kernels
(OpenCV's portable code path, see :func:`generate_synthetic_flir`).
"""
import json
import os
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from mmext.utils.determinism import portable_opencv

# FLIR ADAS v1.3 categories (COCO numbering where possible, see the release ReadMe).
FLIR_V1_CATEGORIES = [
    dict(id=1, name='person', supercategory='unknown'),
    dict(id=2, name='bicycle', supercategory='unknown'),
    dict(id=3, name='car', supercategory='unknown'),
    dict(id=18, name='dog', supercategory='unknown'),
    dict(id=91, name='other vehicle', supercategory='unknown'),
]
_DRAWN = ('person', 'car', 'bicycle')
# Bumped when the same spec writes other bytes (2: OpenCV's portable code path), so that
# is_generated() makes an older set be written again.
GENERATOR_VERSION = 2
_CAT_ID = {c['name']: c['id'] for c in FLIR_V1_CATEGORIES}


@dataclass
class SyntheticFLIRSpec:
    """Parameters of a synthetic FLIR v1 set.

    Args:
        splits: number of frames per split name.
        thermal_size: (width, height) of thermal frames (real: 640x512).
        rgb_size: (width, height) of RGB frames (real: mostly 1800x1600).
        objects_per_image: inclusive range of objects per frame.
        missing_rgb_ratio: fraction of frames written without an RGB file.
        seed: base seed; frame ``i`` of split ``s`` uses its own derived generator.
    """
    splits: Dict[str, int] = field(default_factory=lambda: {'train': 240, 'val': 60})
    thermal_size: Tuple[int, int] = (640, 512)
    rgb_size: Tuple[int, int] = (800, 640)
    objects_per_image: Tuple[int, int] = (2, 6)
    missing_rgb_ratio: float = 0.05
    seed: int = 0


def default_rgb_to_thermal_homography(spec: SyntheticFLIRSpec) -> np.ndarray:
    """The known RGB -> thermal homography of the synthetic rig.

    The RGB camera sees a slightly wider, shifted and rotated view of the same scene, with a
    mild perspective term, as two cameras 5 cm apart in one enclosure would.
    """
    tw, th = spec.thermal_size
    rw, rh = spec.rgb_size
    # thermal -> rgb: scale up, rotate 1.5 deg about the centre, shift, small perspective.
    s = 1.12 * rw / tw
    a = np.deg2rad(1.5)
    rot = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
    to_centre = np.array([[1, 0, -tw / 2], [0, 1, -th / 2], [0, 0, 1]])
    scale = np.diag([s, s * rh / rw * tw / th, 1.0])
    back = np.array([[1, 0, rw / 2 + 0.03 * rw], [0, 1, rh / 2 - 0.02 * rh], [0, 0, 1]])
    persp = np.array([[1, 0, 0], [0, 1, 0], [2e-5, 1e-5, 1]])
    t2r = back @ scale @ rot @ to_centre
    t2r = t2r @ persp
    t2r /= t2r[2, 2]
    return np.linalg.inv(t2r) / np.linalg.inv(t2r)[2, 2]


def _frame_rng(seed: int, split: str, index: int) -> np.random.Generator:
    split_code = sum(ord(c) * 31**i for i, c in enumerate(split)) % 100003
    return np.random.default_rng([seed, split_code, index])


def _background(rng: np.random.Generator, w: int, h: int, horizon: int,
                thermal: bool) -> np.ndarray:
    """Sky, buildings/trees as distractors and a road with lane marks."""
    yy = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    if thermal:
        sky = 30 + 25 * yy
        img = np.repeat(sky, w, axis=1)[..., None].repeat(3, axis=2)
        road_val = rng.uniform(70, 110)
        img[horizon:] = road_val + 20 * (yy[horizon:] - yy[horizon])[..., None]
    else:
        sky_col = np.array([rng.uniform(150, 220), rng.uniform(170, 230), 235.0])
        img = np.ones((h, w, 3), np.float32) * sky_col
        img[horizon:] = rng.uniform(80, 120)
    for _ in range(rng.integers(3, 8)):  # buildings / trees along the horizon
        bw, bh = rng.integers(w // 12, w // 4), rng.integers(h // 10, h // 3)
        x0 = rng.integers(0, w - bw)
        val = rng.uniform(40, 90) if thermal else rng.uniform(40, 200, size=3)
        img[max(horizon - bh, 0):horizon, x0:x0 + bw] = val
    for k in range(6):  # dashed centre line
        y0 = horizon + int((h - horizon) * k / 6)
        y1 = y0 + max(2, (h - horizon) // 14)
        cx = w // 2
        half = 1 + (y0 - horizon) * 3 // max(h - horizon, 1)
        img[y0:y1, cx - half:cx + half + 1] = 140 if thermal else 230
    noise = rng.normal(0, 6 if thermal else 8, size=img.shape).astype(np.float32)
    return img + noise


def _draw_person(img, mask, rng, box, thermal):
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    body = rng.uniform(185, 240) if thermal else tuple(rng.uniform(20, 230, 3))
    skin = min(body + 10, 255) if thermal else (140, 170, 220)
    pts = lambda p: np.round(np.array(p)).astype(np.int32)  # noqa: E731
    head_r = max(1, int(0.09 * h))
    for tgt, val in ((img, skin), (mask, 1)):
        cv2.circle(tgt, tuple(pts((cx, y0 + head_r))), head_r, _col(val), -1)
    torso = pts([(x0 + 0.15 * w, y0 + 0.2 * h), (x1 - 0.15 * w, y0 + 0.2 * h),
                 (x1 - 0.22 * w, y0 + 0.58 * h), (x0 + 0.22 * w, y0 + 0.58 * h)])
    leg_w = max(1, int(0.14 * w))
    for tgt, val in ((img, body), (mask, 1)):
        cv2.fillConvexPoly(tgt, torso, _col(val))
        cv2.line(tgt, tuple(pts((cx - 0.12 * w, y0 + 0.57 * h))),
                 tuple(pts((x0 + 0.18 * w, y1 - 1))), _col(val), leg_w)
        cv2.line(tgt, tuple(pts((cx + 0.12 * w, y0 + 0.57 * h))),
                 tuple(pts((x1 - 0.18 * w, y1 - 1))), _col(val), leg_w)
        cv2.line(tgt, tuple(pts((x0 + 0.16 * w, y0 + 0.22 * h))),
                 tuple(pts((x0 + 0.02 * w, y0 + 0.55 * h))), _col(val), max(1, leg_w - 1))
        cv2.line(tgt, tuple(pts((x1 - 0.16 * w, y0 + 0.22 * h))),
                 tuple(pts((x1 - 0.02 * w, y0 + 0.55 * h))), _col(val), max(1, leg_w - 1))


def _draw_car(img, mask, rng, box, thermal):
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    body = rng.uniform(110, 160) if thermal else tuple(rng.uniform(0, 255, 3))
    window = rng.uniform(40, 70) if thermal else (60, 60, 70)
    wheel = rng.uniform(200, 250) if thermal else (25, 25, 25)
    pts = lambda p: np.round(np.array(p)).astype(np.int32)  # noqa: E731
    roof = pts([(x0 + 0.22 * w, y0), (x1 - 0.25 * w, y0), (x1 - 0.1 * w, y0 + 0.42 * h),
                (x0 + 0.08 * w, y0 + 0.42 * h)])
    lower = pts([(x0, y0 + 0.4 * h), (x1, y0 + 0.4 * h), (x1, y1 - 0.18 * h),
                 (x0, y1 - 0.18 * h)])
    r = max(1, int(0.18 * h))
    for tgt, val in ((img, body), (mask, 1)):
        cv2.fillConvexPoly(tgt, roof, _col(val))
        cv2.fillConvexPoly(tgt, lower, _col(val))
    win = pts([(x0 + 0.27 * w, y0 + 0.08 * h), (x1 - 0.3 * w, y0 + 0.08 * h),
               (x1 - 0.18 * w, y0 + 0.38 * h), (x0 + 0.15 * w, y0 + 0.38 * h)])
    cv2.fillConvexPoly(img, win, _col(window))
    for cx in (x0 + 0.22 * w, x1 - 0.22 * w):
        for tgt, val in ((img, wheel), (mask, 1)):
            cv2.circle(tgt, tuple(pts((cx, y1 - r))), r, _col(val), -1)


def _draw_bicycle(img, mask, rng, box, thermal):
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    val = rng.uniform(150, 210) if thermal else tuple(rng.uniform(0, 120, 3))
    r = max(2, int(min(0.26 * w, 0.45 * h)))
    t = max(1, int(0.06 * w))
    pts = lambda p: tuple(np.round(np.array(p)).astype(np.int32))  # noqa: E731
    c1, c2 = (x0 + r, y1 - r), (x1 - r, y1 - r)
    seat, bar = (x0 + 0.42 * w, y0 + 0.1 * h), (x1 - 0.3 * w, y0)
    crank = (x0 + 0.5 * w, y1 - r)
    for tgt, v in ((img, val), (mask, 1)):
        cv2.circle(tgt, pts(c1), r, _col(v), t)
        cv2.circle(tgt, pts(c2), r, _col(v), t)
        for a, b in ((c1, seat), (seat, crank), (crank, c1), (seat, bar), (bar, c2),
                     (bar, crank)):
            cv2.line(tgt, pts(a), pts(b), _col(v), t)


def _col(val) -> Tuple[float, float, float]:
    if np.isscalar(val):
        return (float(val), ) * 3
    return tuple(float(v) for v in val)


_DRAW = {'person': _draw_person, 'car': _draw_car, 'bicycle': _draw_bicycle}
# (aspect w/h range, height at the bottom of the frame as a fraction of frame height)
_SHAPE = {'person': ((0.32, 0.45), 0.42), 'car': ((1.5, 2.1), 0.3),
          'bicycle': ((1.4, 1.8), 0.22)}


def _sample_objects(rng: np.random.Generator, spec: SyntheticFLIRSpec,
                    horizon: int) -> List[Tuple[str, Tuple[float, float, float, float]]]:
    """Sample non-overlapping objects standing on the road, far ones first."""
    w, h = spec.thermal_size
    n = rng.integers(spec.objects_per_image[0], spec.objects_per_image[1] + 1)
    objects: List[Tuple[str, Tuple[float, float, float, float]]] = []
    for _ in range(n * 10):
        if len(objects) == n:
            break
        cls = _DRAWN[rng.choice(3, p=[0.4, 0.4, 0.2])]
        (amin, amax), hfrac = _SHAPE[cls]
        y1 = rng.uniform(horizon + 0.3 * (h - horizon), h - 1)
        depth_scale = (y1 - horizon) / (h - horizon)
        bh = max(0.06 * h, hfrac * h * depth_scale * rng.uniform(0.85, 1.15))
        bw = bh * rng.uniform(amin, amax)
        x0 = rng.uniform(0, w - bw)
        box = (x0, y1 - bh, x0 + bw, y1)
        if box[1] < 0 or any(_iou(box, b) > 0.15 for _, b in objects):
            continue
        objects.append((cls, box))
    return sorted(objects, key=lambda o: o[1][3])


def _iou(a, b) -> float:
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _mask_box(mask: np.ndarray) -> Optional[List[float]]:
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    return [float(x0), float(y0), float(x1 - x0), float(y1 - y0)]


def render_frame(spec: SyntheticFLIRSpec, split: str, index: int,
                 rgb_to_thermal: np.ndarray) -> dict:
    """Render one thermal/RGB pair and its per-object boxes in both frames.

    Returns:
        dict with ``thermal`` (H, W) uint8, ``rgb`` (H', W', 3) uint8 BGR,
        ``objects``: list of dicts with ``category``, ``thermal_bbox``, ``rgb_bbox`` (xywh,
        tight boxes of the rendered silhouettes; ``rgb_bbox`` None when outside the RGB view).
    """
    rng = _frame_rng(spec.seed, split, index)
    w, h = spec.thermal_size
    rw, rh = spec.rgb_size
    horizon = int(h * rng.uniform(0.35, 0.5))
    objects = _sample_objects(rng, spec, horizon)
    thermal = _background(rng, w, h, horizon, thermal=True)
    rgb_scene = _background(rng, w, h, horizon, thermal=False)
    thermal_to_rgb = np.linalg.inv(rgb_to_thermal)
    records = []
    for cls, box in objects:
        ibox = tuple(int(round(v)) for v in box)
        obj_rng_state = rng.bit_generator.state
        mask = np.zeros((h, w, 3), np.uint8)
        _DRAW[cls](thermal, mask, rng, ibox, thermal=True)
        rng.bit_generator.state = obj_rng_state  # same geometry, RGB appearance
        _DRAW[cls](rgb_scene, np.zeros_like(mask), rng, ibox, thermal=False)
        tbox = _mask_box(mask[..., 0])
        rgb_mask = cv2.warpPerspective(mask[..., 0], thermal_to_rgb, (rw, rh),
                                       flags=cv2.INTER_NEAREST)
        if tbox is None:
            continue
        records.append(dict(category=cls, thermal_bbox=tbox, rgb_bbox=_mask_box(rgb_mask)))
    thermal = cv2.GaussianBlur(np.clip(thermal, 0, 255), (3, 3), 0.8)[..., 0]
    rgb = cv2.warpPerspective(np.clip(rgb_scene, 0, 255).astype(np.uint8), thermal_to_rgb,
                              (rw, rh), flags=cv2.INTER_LINEAR, borderValue=(90, 90, 90))
    return dict(thermal=thermal.astype(np.uint8), rgb=rgb, objects=records)


def _coco(images: list, annotations: list) -> dict:
    return dict(info=dict(description='mmext synthetic FLIR ADAS v1.3-layout set'),
                licenses=[], categories=FLIR_V1_CATEGORIES, images=images,
                annotations=annotations)


def _write_json_atomic(path: str, obj) -> None:
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(obj, f)
    os.replace(tmp, path)


def generate_synthetic_flir(out_dir: str,
                            spec: Optional[SyntheticFLIRSpec] = None,
                            rgb_to_thermal: Optional[np.ndarray] = None) -> dict:
    """Write a synthetic FLIR ADAS v1.3-layout set to ``out_dir``.

    Args:
        out_dir: root folder (created); existing frames are overwritten.
        spec: generator parameters; defaults to :class:`SyntheticFLIRSpec`.
        rgb_to_thermal: 3x3 homography (RGB pixels -> thermal pixels); defaults to
            :func:`default_rgb_to_thermal_homography`.

    Returns:
        Summary dict: frames and objects per split and class, frames without RGB.

    OpenCV runs its portable baseline code here
    (:func:`mmext.utils.determinism.portable_opencv`), so the bytes do not depend on which
    SIMD kernels the CPU offers (with the dispatched kernels, disabling AVX2 changed them).
    """
    with portable_opencv():
        return _generate(out_dir, spec or SyntheticFLIRSpec(), rgb_to_thermal)


def _generate(out_dir: str, spec: SyntheticFLIRSpec,
              rgb_to_thermal: Optional[np.ndarray]) -> dict:
    H = default_rgb_to_thermal_homography(spec) if rgb_to_thermal is None else rgb_to_thermal
    summary: dict = {}
    for split, count in spec.splits.items():
        for sub in ('thermal_8_bit', 'RGB'):
            os.makedirs(osp.join(out_dir, split, sub), exist_ok=True)
        rng_missing = np.random.default_rng([spec.seed, 7, count])
        missing = set(np.nonzero(rng_missing.random(count) < spec.missing_rgb_ratio)[0])
        images, t_anns, r_anns = [], [], []
        per_class = {c: 0 for c in _DRAWN}
        for i in range(count):
            frame = render_frame(spec, split, i, H)
            name = f'FLIR_{i + 1:05d}'
            cv2.imwrite(osp.join(out_dir, split, 'thermal_8_bit', name + '.jpeg'),
                        frame['thermal'], [cv2.IMWRITE_JPEG_QUALITY, 95])
            rgb_path = osp.join(out_dir, split, 'RGB', name + '.jpg')
            if i in missing:
                if osp.exists(rgb_path):
                    os.remove(rgb_path)
            else:
                cv2.imwrite(rgb_path, frame['rgb'], [cv2.IMWRITE_JPEG_QUALITY, 92])
            images.append(dict(id=i, file_name=f'thermal_8_bit/{name}.jpeg',
                               width=spec.thermal_size[0], height=spec.thermal_size[1]))
            for obj in frame['objects']:
                per_class[obj['category']] += 1
                bbox = obj['thermal_bbox']
                t_anns.append(dict(id=len(t_anns) + 1, image_id=i, iscrowd=0,
                                   category_id=_CAT_ID[obj['category']], bbox=bbox,
                                   area=bbox[2] * bbox[3], segmentation=[]))
                if obj['rgb_bbox'] is not None and i not in missing:
                    rb = obj['rgb_bbox']
                    r_anns.append(dict(id=len(r_anns) + 1, image_id=i, iscrowd=0,
                                       category_id=_CAT_ID[obj['category']], bbox=rb,
                                       area=rb[2] * rb[3], segmentation=[]))
        rgb_images = [dict(im, file_name=f'RGB/{osp.basename(im["file_name"])[:-5]}.jpg',
                           width=spec.rgb_size[0], height=spec.rgb_size[1])
                      for im in images if im['id'] not in missing]
        _write_json_atomic(osp.join(out_dir, split, 'rgb_annotations.json'),
                           _coco(rgb_images, r_anns))
        _write_json_atomic(osp.join(out_dir, split, 'thermal_annotations.json'),
                           _coco(images, t_anns))
        summary[split] = dict(frames=count, frames_without_rgb=len(missing),
                              objects=per_class)
    _write_json_atomic(
        osp.join(out_dir, 'rgb_to_thermal_homography.json'),
        dict(rgb_to_thermal=H.tolist(), thermal_to_rgb=np.linalg.inv(H).tolist(),
             thermal_size=list(spec.thermal_size), rgb_size=list(spec.rgb_size),
             note='x_thermal ~ H @ [x_rgb, y_rgb, 1] (pixel coordinates, pixel centres)'))
    _write_json_atomic(osp.join(out_dir, 'synthetic_info.json'),
                       dict(generator='mmext.synthetic.flir',
                            generator_version=GENERATOR_VERSION, seed=spec.seed,
                            splits=spec.splits, thermal_size=list(spec.thermal_size),
                            rgb_size=list(spec.rgb_size), summary=summary))
    return summary


def is_generated(out_dir: str, spec: SyntheticFLIRSpec) -> bool:
    """True when ``out_dir`` holds a complete set generated with ``spec``."""
    info_path = osp.join(out_dir, 'synthetic_info.json')
    if not osp.exists(info_path):
        return False
    with open(info_path, encoding='utf-8') as f:
        info = json.load(f)
    return (info.get('generator_version') == GENERATOR_VERSION
            and info.get('seed') == spec.seed and info.get('splits') == spec.splits
            and info.get('thermal_size') == list(spec.thermal_size)
            and info.get('rgb_size') == list(spec.rgb_size))


def splits_from_counts(counts: Sequence[int],
                       names: Sequence[str] = ('train', 'val')) -> Dict[str, int]:
    """Map split names to frame counts, e.g. ``(240, 60) -> {'train': 240, 'val': 60}``."""
    return dict(zip(names, counts))


# FLIR ADAS v2 categories (the names and ids of its coco.json files; bicycles are 'bike').
FLIR_V2_CATEGORIES = [
    dict(id=i, name=n, supercategory='unknown') for i, n in (
        (1, 'person'), (2, 'bike'), (3, 'car'), (4, 'motor'), (6, 'bus'), (7, 'train'),
        (8, 'truck'), (10, 'light'), (11, 'hydrant'), (12, 'sign'), (17, 'dog'),
        (37, 'skateboard'), (73, 'stroller'), (77, 'scooter'), (79, 'other vehicle'))
]
_V2_NAME = {'person': 'person', 'bicycle': 'bike', 'car': 'car'}
_V2_CAT_ID = {c['name']: c['id'] for c in FLIR_V2_CATEGORIES}
# split name -> (thermal folder, RGB folder) of the v2 release
V2_FOLDERS = {'train': ('images_thermal_train', 'images_rgb_train'),
              'val': ('images_thermal_val', 'images_rgb_val'),
              'video': ('video_thermal_test', 'video_rgb_test')}


def _v2_name(kind: str, split: str, index: int, seed: int) -> str:
    """A v2-style file name; thermal and RGB frames of one moment get unrelated names."""
    code = np.random.default_rng([seed, len(kind), len(split), index]).integers(0, 16**8)
    video = f'{kind[0].upper()}{split}{seed}'
    return f'video-{video}-frame-{index:06d}-{int(code):08x}.jpg'


def generate_synthetic_flir_v2(out_dir: str, spec: Optional[SyntheticFLIRSpec] = None,
                               rgb_to_thermal: Optional[np.ndarray] = None) -> dict:
    """Write a synthetic set in the FLIR ADAS v2 layout to ``out_dir``.

    Layout (as the v2 release)::

        images_thermal_train/{data/video-...-frame-000000-xxxxxxxx.jpg, coco.json}
        images_rgb_train/{data/..., coco.json}       (unpaired names, as in v2)
        images_thermal_val/, images_rgb_val/
        video_thermal_test/, video_rgb_test/          (the test split)
        rgb_to_thermal_vid_map.json                   RGB name -> thermal name, video only
        rgb_to_thermal_homography.json                synthetic extra, as for v1

    ``spec.splits`` keys are ``'train'``, ``'val'`` and ``'video'``. COCO ``file_name`` s
    are ``data/<name>``; categories are v2's (``'bike'``, dog id 17).
    """
    spec = spec or SyntheticFLIRSpec(splits={'train': 8, 'val': 4, 'video': 8})
    unknown = set(spec.splits) - set(V2_FOLDERS)
    if unknown:
        raise ValueError(f'v2 splits are {sorted(V2_FOLDERS)}, got {sorted(unknown)}')
    H = default_rgb_to_thermal_homography(spec) if rgb_to_thermal is None else rgb_to_thermal
    summary: dict = {}
    pairs: Dict[str, str] = {}
    for split, count in spec.splits.items():
        t_dir, r_dir = V2_FOLDERS[split]
        for sub in (t_dir, r_dir):
            os.makedirs(osp.join(out_dir, sub, 'data'), exist_ok=True)
        missing = set(np.nonzero(np.random.default_rng([spec.seed, 7, count]).random(count)
                                 < spec.missing_rgb_ratio)[0])
        t_images, r_images, t_anns, r_anns = [], [], [], []
        for i in range(count):
            frame = render_frame(spec, split, i, H)
            t_name, r_name = (_v2_name(k, split, i, spec.seed) for k in ('thermal', 'rgb'))
            cv2.imwrite(osp.join(out_dir, t_dir, 'data', t_name), frame['thermal'],
                        [cv2.IMWRITE_JPEG_QUALITY, 95])
            t_images.append(dict(id=i, file_name=f'data/{t_name}',
                                 width=spec.thermal_size[0], height=spec.thermal_size[1]))
            if i not in missing:
                cv2.imwrite(osp.join(out_dir, r_dir, 'data', r_name), frame['rgb'],
                            [cv2.IMWRITE_JPEG_QUALITY, 92])
                r_images.append(dict(id=i, file_name=f'data/{r_name}',
                                     width=spec.rgb_size[0], height=spec.rgb_size[1]))
                if split == 'video':
                    pairs[r_name] = t_name
            for obj in frame['objects']:
                cat = _V2_CAT_ID[_V2_NAME[obj['category']]]
                b = obj['thermal_bbox']
                t_anns.append(dict(id=len(t_anns) + 1, image_id=i, iscrowd=0,
                                   category_id=cat, bbox=b, area=b[2] * b[3]))
                if obj['rgb_bbox'] is not None and i not in missing:
                    rb = obj['rgb_bbox']
                    r_anns.append(dict(id=len(r_anns) + 1, image_id=i, iscrowd=0,
                                       category_id=cat, bbox=rb, area=rb[2] * rb[3]))
        for sub, images, anns in ((t_dir, t_images, t_anns), (r_dir, r_images, r_anns)):
            _write_json_atomic(osp.join(out_dir, sub, 'coco.json'), dict(
                info=dict(description='mmext synthetic FLIR ADAS v2-layout set'), licenses=[],
                categories=FLIR_V2_CATEGORIES, images=images, annotations=anns))
        summary[split] = dict(frames=count, frames_without_rgb=len(missing))
    _write_json_atomic(osp.join(out_dir, 'rgb_to_thermal_vid_map.json'), pairs)
    _write_json_atomic(
        osp.join(out_dir, 'rgb_to_thermal_homography.json'),
        dict(rgb_to_thermal=H.tolist(), thermal_to_rgb=np.linalg.inv(H).tolist(),
             thermal_size=list(spec.thermal_size), rgb_size=list(spec.rgb_size)))
    return summary
