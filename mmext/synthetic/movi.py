"""Synthetic MOVi-like videos written in mmext's exported MOVi layout.

Each video shows 2-5 shapes (disc, square, triangle) of distinct colours moving with
constant velocity and bouncing off the borders, over a smooth background gradient.
"Metal" shapes get a Lambert-like shading and a specular highlight (the seed's difficult
case); "rubber" shapes are shaded mildly. GT instance ids follow MOVi: 0 = background,
1..n = objects (painted back to front, so occlusions are exact).

Layout written (the one :class:`mmext.slots.datasets.MOViDataset` reads, also produced by
``tools/dataset_converters/movi_tfds_to_npy.py`` from the real TFDS MOVi)::

    folder:       <root>/<split>/<video_id>/video.npy          uint8 (T, H, W, 3)
                  <root>/<split>/<video_id>/segmentations.npy  uint8 (T, H, W)
                  <root>/<split>/<video_id>/metadata.json      (optional)
    webdataset:   <root>/<split>-000000.tar with members
                  <video_id>.video.npy, <video_id>.segmentations.npy[, <video_id>.metadata.json]

``write_synthetic_movi`` also writes ``<root>/synthetic_info_<split>.json`` (generator
version, arguments, content sha256; :mod:`mmext.synthetic.stamp`). The bytes do not depend
on the machine: the highlight's exponential comes from the C library
(:func:`mmext.utils.determinism.libm_exp`), tar members carry no time stamps.

Example:
    >>> write_synthetic_movi('data/movi_synth', num_videos=8, split='train')
"""
import io
import json
import os
import os.path as osp
import tarfile
from typing import Dict, Iterable, Iterator, List, Optional, Tuple

import numpy as np

from mmext.utils.determinism import libm_exp
from .stamp import call_params, is_current, write_stamp

# Bumped whenever the same arguments write other bytes.
GENERATOR_VERSION = 1
_NAME = 'mmext.synthetic.movi'

PALETTE = np.array([
    [220, 40, 40], [40, 180, 60], [50, 90, 220], [230, 200, 40], [200, 60, 200],
    [40, 200, 210], [240, 130, 30], [150, 150, 150], [120, 70, 30], [250, 250, 250],
], dtype=np.float64)
SHAPES = ('disc', 'square', 'triangle')


def _shape_mask(shape: str, yy: np.ndarray, xx: np.ndarray, cy: float, cx: float,
                r: float) -> np.ndarray:
    dy, dx = yy - cy, xx - cx
    if shape == 'disc':
        return dy ** 2 + dx ** 2 <= r ** 2
    if shape == 'square':
        return (np.abs(dy) <= r * 0.85) & (np.abs(dx) <= r * 0.85)
    # upward triangle inscribed in the circle of radius r
    return (dy <= r * 0.5) & (dy >= -r) & (np.abs(dx) <= (dy + r) * 0.58)


def _shade(colour: np.ndarray, yy: np.ndarray, xx: np.ndarray, cy: float, cx: float,
           r: float, metal: bool) -> np.ndarray:
    """Colour image (H, W, 3) of one object: shading, plus a highlight for metal."""
    d2 = ((yy - cy) ** 2 + (xx - cx) ** 2) / max(r, 1.0) ** 2
    if metal:
        lambert = 0.55 + 0.45 * np.clip(1.0 - d2, 0.0, 1.0)
        hy, hx = cy - 0.35 * r, cx - 0.35 * r
        spec = libm_exp(-((yy - hy) ** 2 + (xx - hx) ** 2) / (2 * (0.25 * r) ** 2))
        img = colour[None, None] * lambert[..., None]
        return img * (1 - 0.9 * spec[..., None]) + 255.0 * 0.9 * spec[..., None]
    lambert = 0.85 + 0.15 * np.clip(1.0 - d2, 0.0, 1.0)
    return colour[None, None] * lambert[..., None]


def generate_video(rng: np.random.Generator, num_frames: int = 24, size: int = 64,
                   min_objects: int = 2, max_objects: int = 4, metal_prob: float = 0.4,
                   noise_std: float = 2.0) -> Tuple[np.ndarray, np.ndarray, Dict]:
    """Render one video.

    Args:
        rng: Random generator (determines everything).
        num_frames: T.
        size: Frame side H = W in pixels.
        min_objects: Minimum number of objects.
        max_objects: Maximum number of objects (at most ``len(PALETTE)``).
        metal_prob: Probability that an object is metal (specular highlight).
        noise_std: Std of the additive pixel noise (0-255 scale).

    Returns:
        ``video`` uint8 (T, H, W, 3), ``segmentations`` uint8 (T, H, W) and metadata.
    """
    if not 1 <= min_objects <= max_objects <= len(PALETTE):
        raise ValueError(f'need 1 <= min_objects <= max_objects <= {len(PALETTE)}, got '
                         f'{min_objects}, {max_objects}')
    n = int(rng.integers(min_objects, max_objects + 1))
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    bg_top, bg_bottom = rng.uniform(30, 110, 3), rng.uniform(30, 110, 3)
    ramp = (yy / max(size - 1, 1))[..., None]
    background = bg_top * (1 - ramp) + bg_bottom * ramp
    colours = rng.choice(len(PALETTE), size=n, replace=False)
    objects: List[Dict] = []
    for i in range(n):
        r = float(rng.uniform(0.09, 0.16) * size)
        objects.append(dict(
            shape=str(rng.choice(SHAPES)), colour=int(colours[i]), radius=r,
            metal=bool(rng.random() < metal_prob),
            pos=rng.uniform(r, size - r, 2), vel=rng.uniform(-0.04, 0.04, 2) * size))
    video = np.empty((num_frames, size, size, 3), dtype=np.uint8)
    segs = np.zeros((num_frames, size, size), dtype=np.uint8)
    for t in range(num_frames):
        frame = background.copy()
        seg = np.zeros((size, size), dtype=np.uint8)
        for idx, obj in enumerate(objects, start=1):
            (cy, cx), r = obj['pos'], obj['radius']
            mask = _shape_mask(obj['shape'], yy, xx, cy, cx, r)
            img = _shade(PALETTE[obj['colour']], yy, xx, cy, cx, r, obj['metal'])
            frame[mask] = img[mask]
            seg[mask] = idx
        frame += rng.normal(0, noise_std, frame.shape)
        video[t] = np.clip(frame, 0, 255).astype(np.uint8)
        segs[t] = seg
        for obj in objects:
            obj['pos'] = obj['pos'] + obj['vel']
            for a in range(2):
                lo, hi = obj['radius'], size - obj['radius']
                if not lo <= obj['pos'][a] <= hi:
                    obj['vel'][a] = -obj['vel'][a]
                    obj['pos'][a] = np.clip(obj['pos'][a], lo, hi)
    meta = dict(num_objects=n, objects=[dict(shape=o['shape'], colour=o['colour'],
                                             metal=o['metal']) for o in objects])
    return video, segs, meta


def _npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr)
    return buf.getvalue()


def write_movi_videos(root: str, videos: Iterable[Tuple[str, np.ndarray, np.ndarray, Dict]],
                      split: str = 'train', fmt: str = 'folder',
                      videos_per_shard: int = 64) -> List[str]:
    """Write ``(video_id, video, segmentations, metadata)`` tuples in the MOVi export layout.

    Used by :func:`write_synthetic_movi` and by the TFDS converter
    (``tools/dataset_converters/movi_tfds_to_npy.py``).

    Args:
        root: Output root.
        videos: Iterable of ``(video_id, video uint8 (T, H, W, 3), segmentations (T, H, W),
            metadata dict)``.
        split: Split name (sub-folder / shard prefix).
        fmt: ``'folder'`` or ``'webdataset'`` (tar shards).
        videos_per_shard: Videos per tar shard (webdataset only).

    Returns:
        The paths written (video folders or shard files).
    """
    if fmt not in ('folder', 'webdataset'):
        raise ValueError(f"fmt must be 'folder' or 'webdataset', got {fmt!r}")
    written: List[str] = []
    tar: Optional[tarfile.TarFile] = None
    os.makedirs(root if fmt == 'webdataset' else osp.join(root, split), exist_ok=True)
    for i, (vid, video, segs, meta) in enumerate(videos):
        if '.' in vid or '/' in vid:
            raise ValueError(f'video id {vid!r} must not contain "." or "/"')
        video, segs = np.asarray(video), np.asarray(segs)
        if video.dtype != np.uint8 or video.ndim != 4 or video.shape[-1] != 3:
            raise ValueError(f'{vid}: video must be uint8 (T, H, W, 3), got {video.dtype} '
                             f'{video.shape}')
        if segs.ndim == 4 and segs.shape[-1] == 1:
            segs = segs[..., 0]
        if segs.shape != video.shape[:3]:
            raise ValueError(f'{vid}: segmentations {segs.shape} != video {video.shape[:3]}')
        files = {'video.npy': _npy_bytes(video), 'segmentations.npy': _npy_bytes(segs),
                 'metadata.json': json.dumps(meta).encode()}
        if fmt == 'folder':
            out = osp.join(root, split, vid)
            os.makedirs(out, exist_ok=True)
            for name, data in files.items():
                with open(osp.join(out, name), 'wb') as f:
                    f.write(data)
            written.append(out)
            continue
        if i % videos_per_shard == 0:
            if tar is not None:
                tar.close()
            path = osp.join(root, f'{split}-{i // videos_per_shard:06d}.tar')
            tar = tarfile.open(path, 'w')
            written.append(path)
        for name, data in files.items():
            info = tarfile.TarInfo(f'{vid}.{name}')
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    if tar is not None:
        tar.close()
    return written


def write_synthetic_movi(root: str, num_videos: int = 16, split: str = 'train',
                         fmt: str = 'folder', seed: int = 0, videos_per_shard: int = 64,
                         **video_kwargs) -> List[str]:
    """Write ``num_videos`` synthetic videos under ``root`` in the MOVi export layout.

    Args:
        root: Output root.
        num_videos: Number of videos.
        split: Split name (sub-folder / shard prefix).
        fmt: ``'folder'`` or ``'webdataset'`` (tar shards).
        seed: Seed; the same seed and arguments give identical files.
        videos_per_shard: Videos per tar shard (webdataset only).
        **video_kwargs: Passed to :func:`generate_video`.

    Returns:
        The paths written (video folders or shard files).
    """
    params = call_params(write_synthetic_movi, locals())
    params.pop('split')
    rng = np.random.default_rng(seed)

    def videos() -> Iterator[Tuple[str, np.ndarray, np.ndarray, Dict]]:
        for i in range(num_videos):
            video, segs, meta = generate_video(rng, **video_kwargs)
            yield f'{split}_{i:06d}', video, segs, meta

    written = write_movi_videos(root, videos(), split=split, fmt=fmt,
                                videos_per_shard=videos_per_shard)
    write_stamp(root, _NAME, GENERATOR_VERSION, params,
                paths=[osp.relpath(p, root) for p in written], name=stamp_name(split))
    return written


def stamp_name(split: str) -> str:
    """File name of a split's stamp under the root (one root holds several splits)."""
    return f'synthetic_info_{split}.json'


def is_generated(root: str, split: str = 'train', **params) -> bool:
    """True when ``root`` holds ``split`` written by this generator version with ``params``
    (keyword arguments of :func:`write_synthetic_movi`; missing ones take its defaults)."""
    full = call_params(write_synthetic_movi, dict(params, split=split))
    full.pop('split')
    return is_current(root, _NAME, GENERATOR_VERSION, full, name=stamp_name(split))
