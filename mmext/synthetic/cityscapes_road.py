"""Synthetic twin of Cityscapes' *sequence* layout (FUMET's second data set).

Layout written under ``root`` (the real one's, see
:class:`~mmext.selfsup.datasets.CityscapesSequenceDataset`)::

    leftImg8bit_sequence/<split>/<city>/<city>_<seq:06d>_<frame:06d>_leftImg8bit.png
    camera/<split>/<city>/<city>_<seq:06d>_<frame:06d>_camera.json   (one per sequence,
                                                                     at its 20th frame)
    masks/<split>/<city>/<city>_<seq:06d>_<frame:06d>.npz            (road / instances /
                                                                     labels / heights)
    splits/<split_name>/{train,val}_files.txt   lines '<split>/<city>/<city>_<seq>_<frame>'

Each sequence is one drive through a random :class:`~mmext.synthetic.road_scene.RoadScene`
(camera ``camera_height`` above a flat road); the bottom ``hood_fraction`` of every image
is the ego car's bonnet (a flat grey band without road), which Cityscapes pipelines crop.
The camera json carries ``intrinsic`` (``fx``, ``fy``, ``u0``, ``v0``) and ``extrinsic``
(``z`` = mounting height, ``baseline``, ``pitch`` ...) as the real files.
``synthetic_info.json`` records the generator version, the arguments and a content sha256
(:mod:`mmext.synthetic.stamp`); the bytes do not depend on the machine (OpenCV's portable
code path, libm sines in :mod:`~mmext.synthetic.road_scene`).
"""
import json
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import cv2
import numpy as np

from mmext.utils.determinism import portable_opencv
from .road_scene import build_road_scene, drive_poses, render_view
from .stamp import call_params, is_current, write_stamp

__all__ = ['write_synthetic_cityscapes', 'is_generated', 'GENERATOR_VERSION']

# Bumped whenever the same arguments write other bytes.
GENERATOR_VERSION = 1
_NAME = 'mmext.synthetic.cityscapes_road'


@portable_opencv()
def write_synthetic_cityscapes(root: str, num_sequences: int = 3, frames_per_sequence: int = 8,
                               image_size: Tuple[int, int] = (256, 128),
                               camera_height: float = 1.22, speed: float = 1.0, seed: int = 0,
                               split_name: str = 'cityscapes_synth',
                               cities: Sequence[str] = ('aachen', 'bochum'),
                               hood_fraction: float = 0.2, val_sequences: int = 1,
                               object_density: float = 0.3) -> Dict[str, object]:
    """Write the twin (layout: module docstring); the last ``val_sequences`` sequences are
    the val split. Returns ``splits``, ``K`` (3x3 at ``image_size``), ``num_frames`` and
    ``content_sha256`` (also in ``<root>/synthetic_info.json``)."""
    params = call_params(write_synthetic_cityscapes, locals())
    if frames_per_sequence < 3:
        raise ValueError('frames_per_sequence must be >= 3 (frames need both neighbours)')
    if not 0 < val_sequences < num_sequences:
        raise ValueError('need 0 < val_sequences < num_sequences')
    W, H = int(image_size[0]), int(image_size[1])
    # Cityscapes' own intrinsics (2262.52 px at 2048 x 1024) scaled to the image
    fx = 2262.52 * W / 2048
    fy = 2265.30 * H / 1024
    K = np.array([[fx, 0., 1096.98 * W / 2048], [0., fy, 513.137 * H / 1024], [0., 0., 1.]])
    rng = np.random.default_rng(seed)
    hood = int(round(H * hood_fraction))
    lines: Dict[str, List[str]] = {'train': [], 'val': []}
    for s in range(num_sequences):
        split = 'val' if s >= num_sequences - val_sequences else 'train'
        city = cities[s % len(cities)]
        seq_rng = np.random.default_rng(rng.integers(2 ** 31))
        scene = build_road_scene(seq_rng, (frames_per_sequence - 1) * speed,
                                 camera_height=camera_height, object_density=object_density)
        poses = drive_poses(frames_per_sequence, speed,
                            phase=float(seq_rng.uniform(0, 2 * np.pi)))
        img_dir = osp.join(root, 'leftImg8bit_sequence', split, city)
        cam_dir = osp.join(root, 'camera', split, city)
        mask_dir = osp.join(root, 'masks', split, city)
        for d in (img_dir, cam_dir, mask_dir):
            os.makedirs(d, exist_ok=True)
        first = 10 * s          # frame numbers continue like Cityscapes' snippets
        for i in range(frames_per_sequence):
            stem = f'{city}_{s:06d}_{first + i:06d}'
            view = render_view(scene, poses[i], K, (W, H))
            rgb, road = view['rgb'].copy(), view['road'].astype(np.uint8)
            inst = view['instances'].copy()
            if hood:
                rgb[H - hood:] = (60, 60, 64)
                road[H - hood:] = 0
                inst[H - hood:] = 0
            cv2.imwrite(osp.join(img_dir, stem + '_leftImg8bit.png'), rgb[..., ::-1])
            ids = np.unique(inst)
            ids = ids[ids > 0]
            remap = np.zeros(scene.num_objects + 1, dtype=np.int32)
            remap[ids] = np.arange(1, len(ids) + 1)
            np.savez_compressed(osp.join(mask_dir, stem + '.npz'), road=road,
                                instances=remap[inst],
                                labels=np.array([scene.labels[k - 1] for k in ids], dtype='<U16'),
                                heights=scene.heights[ids - 1].astype(np.float32))
            if 0 < i < frames_per_sequence - 1:
                lines[split].append(f'{split}/{city}/{stem}')
        ann = f'{city}_{s:06d}_{first + min(19, frames_per_sequence - 1):06d}_camera.json'
        with open(osp.join(cam_dir, ann), 'w') as f:
            json.dump(dict(extrinsic=dict(baseline=0.209313, pitch=0.0, roll=0.0, x=1.7,
                                          y=0.1, yaw=0.0, z=camera_height),
                           intrinsic=dict(fx=float(K[0, 0]), fy=float(K[1, 1]),
                                          u0=float(K[0, 2]), v0=float(K[1, 2]))), f)
    splits = {}
    for name, ls in lines.items():
        path = osp.join(root, 'splits', split_name, f'{name}_files.txt')
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write('\n'.join(ls) + '\n')
        splits[name] = path
    stamp = write_stamp(root, _NAME, GENERATOR_VERSION, params,
                        paths=['leftImg8bit_sequence', 'camera', 'masks', f'splits/{split_name}'])
    return dict(splits=splits, K=K, num_frames=frames_per_sequence,
                content_sha256=stamp['content']['sha256'])


def is_generated(root: str, **params) -> bool:
    """True when ``root`` holds a twin of this generator version written with ``params``
    (keyword arguments of :func:`write_synthetic_cityscapes`; missing ones: its defaults)."""
    return is_current(root, _NAME, GENERATOR_VERSION,
                      call_params(write_synthetic_cityscapes, params))
