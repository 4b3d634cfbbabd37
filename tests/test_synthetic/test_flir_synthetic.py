"""The synthetic FLIR set has the real v1.3 layout, is deterministic, and its RGB/thermal
frames are related by the homography written next to it."""
import hashlib
import json
import os
import os.path as osp

import cv2
import numpy as np

from mmext.synthetic.flir import SyntheticFLIRSpec, generate_synthetic_flir

SPEC = SyntheticFLIRSpec(splits={'train': 6, 'val': 3}, thermal_size=(320, 256),
                         rgb_size=(400, 320), missing_rgb_ratio=0.3, seed=5)


def _digest(root):
    h = hashlib.sha256()
    for dirpath, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            with open(osp.join(dirpath, name), 'rb') as f:
                h.update(name.encode() + f.read())
    return h.hexdigest()


def test_layout_and_categories(tmp_path):
    summary = generate_synthetic_flir(str(tmp_path), SPEC)
    for split, n in SPEC.splits.items():
        ann = json.load(open(tmp_path / split / 'thermal_annotations.json'))
        assert {c['id']: c['name'] for c in ann['categories']} == {
            1: 'person', 2: 'bicycle', 3: 'car', 18: 'dog', 91: 'other vehicle'}
        assert len(ann['images']) == n
        for im in ann['images']:
            path = tmp_path / split / im['file_name']
            assert im['file_name'].startswith('thermal_8_bit/FLIR_')
            img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
            assert img.shape == (256, 320) and img.dtype == np.uint8
        rgb_files = os.listdir(tmp_path / split / 'RGB')
        assert len(rgb_files) == n - summary[split]['frames_without_rgb']
        assert {a['category_id'] for a in ann['annotations']} <= {1, 2, 3}
        counts = {k: 0 for k in ('person', 'car', 'bicycle')}
        names = {1: 'person', 2: 'bicycle', 3: 'car'}
        for a in ann['annotations']:
            counts[names[a['category_id']]] += 1
            x, y, w, h = a['bbox']
            assert 0 <= x and 0 <= y and x + w <= 320 and y + h <= 256 and w > 0 and h > 0
        assert counts == summary[split]['objects']
    assert summary['train']['frames_without_rgb'] >= 1  # 30% missing of 6 frames


def test_deterministic(tmp_path):
    generate_synthetic_flir(str(tmp_path / 'a'), SPEC)
    generate_synthetic_flir(str(tmp_path / 'b'), SPEC)
    assert _digest(tmp_path / 'a') == _digest(tmp_path / 'b')
    other = SyntheticFLIRSpec(**{**SPEC.__dict__, 'seed': 6})
    generate_synthetic_flir(str(tmp_path / 'c'), other)
    assert _digest(tmp_path / 'a') != _digest(tmp_path / 'c')


def _iou(a, b):
    ax1, ay1, ax2, ay2 = a[0], a[1], a[0] + a[2], a[1] + a[3]
    bx1, by1, bx2, by2 = b[0], b[1], b[0] + b[2], b[1] + b[3]
    iw = max(0, min(ax2, bx2) - max(ax1, bx1))
    ih = max(0, min(ay2, by2) - max(ay1, by1))
    inter = iw * ih
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def test_rgb_boxes_map_to_thermal_boxes_through_homography(tmp_path):
    generate_synthetic_flir(str(tmp_path), SPEC)
    H = np.array(json.load(open(tmp_path / 'rgb_to_thermal_homography.json'))['rgb_to_thermal'])
    assert not np.allclose(H, np.eye(3), atol=0.05)  # the cameras really differ
    t = json.load(open(tmp_path / 'train' / 'thermal_annotations.json'))
    r = json.load(open(tmp_path / 'train' / 'rgb_annotations.json'))
    t_by_img, ious = {}, []
    for a in t['annotations']:
        t_by_img.setdefault(a['image_id'], []).append(a)
    for a in r['annotations']:
        x, y, w, h = a['bbox']
        if x <= 1 or y <= 1 or x + w >= 399 or y + h >= 319:
            continue  # clipped by the RGB frame
        corners = np.array([[x, y, 1], [x + w, y, 1], [x, y + h, 1], [x + w, y + h, 1]]).T
        p = H @ corners
        p = p[:2] / p[2]
        mapped = [p[0].min(), p[1].min(), p[0].max() - p[0].min(), p[1].max() - p[1].min()]
        best = max(_iou(mapped, b['bbox']) for b in t_by_img[a['image_id']]
                   if b['category_id'] == a['category_id'])
        ious.append(best)
    assert len(ious) >= 5
    assert np.median(ious) > 0.85 and min(ious) > 0.6
    # and the identity mapping is clearly worse: the homography matters
    raw = [max(_iou(a['bbox'], b['bbox']) for b in t_by_img[a['image_id']])
           for a in r['annotations']]
    assert np.median(raw) < 0.6
