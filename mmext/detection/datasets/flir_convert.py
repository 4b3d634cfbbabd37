"""FLIR ADAS conversions seed 003 needed: crop v2 RGB frames to the thermal field of view
(pruning ``coco.json`` to match), and merge v1.3 + v2 annotations into one v1-style set
with a source tag per image.

Cropping: the thermal frame's corners, mapped into the RGB frame through the inverse of the
RGB->thermal homography, bound the part of the RGB frame the thermal camera sees. That
box is cut out (and optionally resized to the thermal size); annotations are shifted,
clipped to it, scaled, and dropped when less than ``min_visible`` of their area remains.
Frames that are missing, unreadable, of another size than the homography's, or whose
crop would be empty are dropped from the output ``coco.json`` (each counted in the
returned summary). The homography of the cropped frames is written next to them.

Merging: v2 category names are mapped onto v1.3's (``bike``/``motor`` -> ``bicycle``, as
v1.3's "bicycles and motorcycles"), other v2 categories are dropped (counted); file names
become relative to a common root and every image gets ``source`` (``'v1'``/``'v2'``),
which :class:`FLIRDataset` carries into each data info.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from mmext.utils.errors import UserInputError, missing_path_message

V1_CATEGORIES = [dict(id=1, name='person'), dict(id=2, name='bicycle'), dict(id=3, name='car'),
                 dict(id=18, name='dog'), dict(id=91, name='other vehicle')]
V2_TO_V1 = {'person': 'person', 'bike': 'bicycle', 'motor': 'bicycle', 'car': 'car',
            'dog': 'dog', 'other vehicle': 'other vehicle'}


def _load(path: str, what: str) -> dict:
    if not osp.isfile(path):
        raise UserInputError(missing_path_message(what, path))
    with open(path, encoding='utf-8') as f:
        data = json.load(f)
    for key in ('images', 'annotations', 'categories'):
        if key not in data:
            raise UserInputError(f'{what} {path!r} has no "{key}" list (expected COCO)')
    return data


def thermal_view_in_rgb(rgb_to_thermal: np.ndarray, thermal_size: Tuple[int, int],
                        rgb_size: Tuple[int, int]) -> Tuple[int, int, int, int]:
    """Integer box ``(x0, y0, x1, y1)`` of the RGB frame that the thermal frame sees."""
    tw, th = thermal_size
    corners = np.array([[0, 0], [tw, 0], [0, th], [tw, th]], np.float64)
    inv = np.linalg.inv(rgb_to_thermal)
    p = np.c_[corners, np.ones(4)] @ inv.T
    xy = p[:, :2] / p[:, 2:]
    rw, rh = rgb_size
    x0, y0 = np.floor(xy.min(0)).clip(0, None)
    x1, y1 = np.ceil(xy.max(0))
    return int(x0), int(y0), int(min(x1, rw)), int(min(y1, rh))


def crop_rgb_to_thermal_view(rgb_root: str, ann_file: str, out_root: str,
                             rgb_to_thermal: np.ndarray, thermal_size: Tuple[int, int],
                             rgb_size: Tuple[int, int], resize: bool = True,
                             min_visible: float = 0.5) -> dict:
    """Crop every RGB frame of ``ann_file`` to the thermal view; write frames + coco.json.

    Args:
        rgb_root: folder the COCO ``file_name`` s are relative to (v2: images_rgb_<split>).
        ann_file: the RGB split's ``coco.json``.
        out_root: output folder (same relative file names, and ``coco.json``).
        rgb_to_thermal: 3x3 homography fitted for ``rgb_size`` frames.
        thermal_size / rgb_size: ``(w, h)``.
        resize: resize the crops to ``thermal_size`` (then the new mapping is close to
            the identity); False keeps the crop's own resolution.
        min_visible: an annotation is kept when at least this fraction of its area lies in
            the crop.

    Returns:
        Summary: frames kept / dropped by reason, annotations kept / dropped, crop box.
    """
    data = _load(ann_file, 'RGB annotation file')
    H = np.asarray(rgb_to_thermal, np.float64)
    x0, y0, x1, y1 = thermal_view_in_rgb(H, thermal_size, rgb_size)
    if x1 <= x0 or y1 <= y0:
        raise UserInputError(f'the thermal view maps outside the {rgb_size} RGB frame; '
                             'check the homography and the sizes')
    cw, ch = x1 - x0, y1 - y0
    sx, sy = (thermal_size[0] / cw, thermal_size[1] / ch) if resize else (1.0, 1.0)
    crop_to_out = np.diag([sx, sy, 1.0]) @ np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]])
    dropped: Dict[str, int] = dict(missing=0, unreadable=0, other_size=0)
    kept_ids = set()
    images = []
    for im in data['images']:
        src = osp.join(rgb_root, im['file_name'])
        if not osp.isfile(src):
            dropped['missing'] += 1
            continue
        img = cv2.imread(src)
        if img is None:
            dropped['unreadable'] += 1
            continue
        if (img.shape[1], img.shape[0]) != tuple(rgb_size):
            dropped['other_size'] += 1
            continue
        crop = img[y0:y1, x0:x1]
        if resize:
            crop = cv2.resize(crop, tuple(thermal_size), interpolation=cv2.INTER_AREA)
        dst = osp.join(out_root, im['file_name'])
        os.makedirs(osp.dirname(dst), exist_ok=True)
        cv2.imwrite(dst, crop, [cv2.IMWRITE_JPEG_QUALITY, 95])
        images.append(dict(im, width=crop.shape[1], height=crop.shape[0]))
        kept_ids.add(im['id'])
    anns, ann_dropped = [], 0
    for a in data['annotations']:
        if a['image_id'] not in kept_ids:
            continue
        bx, by, bw, bh = a['bbox']
        cx0, cy0 = max(bx, x0), max(by, y0)
        cx1, cy1 = min(bx + bw, x1), min(by + bh, y1)
        if cx1 <= cx0 or cy1 <= cy0 or (cx1 - cx0) * (cy1 - cy0) < min_visible * bw * bh:
            ann_dropped += 1
            continue
        box = [(cx0 - x0) * sx, (cy0 - y0) * sy, (cx1 - cx0) * sx, (cy1 - cy0) * sy]
        anns.append(dict(a, bbox=box, area=box[2] * box[3]))
    os.makedirs(out_root, exist_ok=True)
    with open(osp.join(out_root, 'coco.json'), 'w', encoding='utf-8') as f:
        json.dump(dict(data, images=images, annotations=anns), f)
    new_h = H @ np.linalg.inv(crop_to_out)
    new_h /= new_h[2, 2]
    out_size = list(thermal_size) if resize else [cw, ch]
    with open(osp.join(out_root, 'rgb_to_thermal_homography.json'), 'w',
              encoding='utf-8') as f:
        json.dump(dict(rgb_to_thermal=new_h.tolist(), thermal_to_rgb=np.linalg.inv(new_h)
                       .tolist(), rgb_size=out_size, thermal_size=list(thermal_size),
                       crop_box=[x0, y0, x1, y1]), f, indent=1)
    return dict(frames_kept=len(images), frames_dropped=dropped, annotations_kept=len(anns),
                annotations_dropped=ann_dropped, crop_box=[x0, y0, x1, y1])


def merge_v1_v2(parts: Sequence[Tuple[str, str, str]], out_file: str,
                name_map: Optional[Dict[str, str]] = None) -> dict:
    """Merge FLIR COCO files into one v1.3-style file with a ``source`` tag per image.

    Args:
        parts: ``(tag, ann_file, prefix)`` per input: ``prefix`` is prepended to its file
            names so that they are relative to the merged file's ``data_root``
            (e.g. ``('v1', 'data/FLIR_ADAS_1_3/train/thermal_annotations.json',
            'FLIR_ADAS_1_3/train/')``).
        out_file: merged COCO json.
        name_map: category name -> v1.3 name (default: identity for v1.3 names plus
            :data:`V2_TO_V1`); unmapped categories are dropped.

    Returns:
        Summary: images and annotations per tag, dropped annotations per category name.
    """
    mapping = dict({c['name']: c['name'] for c in V1_CATEGORIES}, **V2_TO_V1,
                   **(name_map or {}))
    v1_id = {c['name']: c['id'] for c in V1_CATEGORIES}
    images: List[dict] = []
    anns: List[dict] = []
    summary: dict = dict(images={}, annotations={}, dropped={})
    for tag, ann_file, prefix in parts:
        data = _load(ann_file, f'{tag} annotation file')
        names = {c['id']: c['name'] for c in data['categories']}
        new_id = {}
        for im in data['images']:
            new_id[im['id']] = len(images) + 1
            images.append(dict(im, id=new_id[im['id']], file_name=prefix + im['file_name'],
                               source=tag, source_id=im['id']))
        n = 0
        for a in data['annotations']:
            name = mapping.get(names.get(a['category_id']))
            if name is None or a['image_id'] not in new_id:
                key = names.get(a['category_id'], str(a['category_id']))
                summary['dropped'][key] = summary['dropped'].get(key, 0) + 1
                continue
            anns.append(dict(a, id=len(anns) + 1, image_id=new_id[a['image_id']],
                             category_id=v1_id[name]))
            n += 1
        summary['images'][tag] = len(data['images'])
        summary['annotations'][tag] = n
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    with open(out_file, 'w', encoding='utf-8') as f:
        json.dump(dict(info=dict(description='FLIR v1.3 + v2 merged (mmext)'),
                       categories=[dict(c, supercategory='unknown') for c in V1_CATEGORIES],
                       images=images, annotations=anns), f)
    return summary
