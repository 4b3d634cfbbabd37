"""Defects of the pseudo-label step found on a user's run, each with its test: registry
scope after an mmdet teacher, unavailable devices, missing frames and partners, RGB frames
of another size than the homography's, refinement by class, per-box status, the
homography file's key, capped and chunked refiner calls, a missing SAM 2 checkpoint."""
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope

from mmext.detection.pseudo_labels import (PseudoLabelGenerator, SAM2PseudoLabeler,
                                           box_iou, load_matrix)
from mmext.detection.pseudo_labels import teachers as teachers_mod
from mmext.detection.pseudo_labels.mask_backends import MaskBackend, Sam2PackageBackend
from mmext.synthetic.flir import (SyntheticFLIRSpec, generate_synthetic_flir,
                                  generate_synthetic_flir_v2)
from mmext.utils.errors import UserInputError
from tests._helpers import thermal_standins as standins

CLASS_MAP = {'person': 'person', 'bicycle': 'bicycle', 'car': 'car'}
SPEC = dict(thermal_size=(160, 128), rgb_size=(200, 160), objects_per_image=(2, 4), seed=8,
            missing_rgb_ratio=0.0)


@pytest.fixture(scope='module')
def v1(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('defects_v1'))
    generate_synthetic_flir(root, SyntheticFLIRSpec(splits={'train': 6}, **SPEC))
    return root


def _gen(root, **kw):
    args = dict(
        source=dict(data_root=osp.join(root, 'train'), ann_file='thermal_annotations.json',
                    rgb_dir='RGB'),
        teacher=dict(type='coco_file', ann_file=osp.join(root, 'train',
                                                         'rgb_annotations.json')),
        class_map=CLASS_MAP, score_thr=0.5,
        rgb_to_thermal=osp.join(root, 'rgb_to_thermal_homography.json'))
    args.update(kw)
    return PseudoLabelGenerator(**args)


def _read(out, name):
    with open(osp.join(osp.dirname(out), name)) as f:
        return json.load(f)


def _one_line(err):
    assert '\n' not in str(err.value), str(err.value)
    return str(err.value)


# -- item 1 ----------------------------------------------------------------------------------
def test_refiner_is_built_after_an_mmdet_teacher(v1, tmp_path):
    """Before: KeyError 'SAM2PseudoLabeler is not in the mmdet::task util registry'."""
    cfg, ckpt = standins.write_mmdet_teacher(str(tmp_path))
    before = DefaultScope.get_current_instance()
    out = _gen(v1, teacher=dict(type='mmdet', config=cfg, checkpoint=ckpt, device='cpu'),
               score_thr=0.0,
               refiner=dict(type='SAM2PseudoLabeler', backend=dict(type='thermal_otsu')),
               ).run(str(tmp_path / 'out'))
    assert osp.isfile(out)
    after = DefaultScope.get_current_instance()
    assert (before and before.scope_name) == (after and after.scope_name)


def test_unavailable_devices_are_one_line_errors(v1, tmp_path, monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    cfg, ckpt = standins.write_mmdet_teacher(str(tmp_path))
    with pytest.raises(UserInputError) as err:
        teachers_mod.MMDetTeacher(cfg, ckpt, device='cuda')
    assert 'pseudo_labels.teacher.device' in _one_line(err)
    with pytest.raises(UserInputError) as err:
        Sam2PackageBackend('configs/sam2.1/sam2.1_hiera_t.yaml', None, device='cuda:0')
    assert 'refiner.backend.device' in _one_line(err)


def test_missing_thermal_frame_names_the_file(v1, tmp_path):
    root = str(tmp_path / 'copy')
    generate_synthetic_flir(root, SyntheticFLIRSpec(splits={'train': 3}, **SPEC))
    gone = osp.join(root, 'train', 'thermal_8_bit', 'FLIR_00002.jpeg')
    os.remove(gone)
    with pytest.raises(UserInputError) as err:
        _gen(root).run(str(tmp_path / 'out'))
    assert gone in _one_line(err)


def test_no_rgb_partner_at_all_is_a_clear_error(v1, tmp_path):
    with pytest.raises(UserInputError) as err:
        _gen(v1, source=dict(data_root=osp.join(v1, 'train'),
                             ann_file='thermal_annotations.json',
                             rgb_dir='thermal_8_bit')).run(str(tmp_path))
    assert 'no thermal frame' in _one_line(err) and 'rgb_map_file' in str(err.value)


@pytest.fixture(scope='module')
def v2(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('defects_v2'))
    generate_synthetic_flir_v2(root, SyntheticFLIRSpec(
        splits={'train': 3, 'video': 5}, **SPEC))
    return root


def test_flir_v2_layout_video_split_through_the_map(v2, tmp_path):
    """Before: ValueError 'need at least one array to concatenate' in _source_dataset."""
    gen = PseudoLabelGenerator(
        source=dict(data_root=osp.join(v2, 'video_thermal_test'), ann_file='coco.json',
                    rgb_dir='../video_rgb_test/data',
                    rgb_map_file='../rgb_to_thermal_vid_map.json'),
        teacher=dict(type='coco_file', ann_file=osp.join(v2, 'video_rgb_test', 'coco.json')),
        class_map={'person': 'person', 'bike': 'bike', 'car': 'car'}, score_thr=0.5,
        rgb_to_thermal=osp.join(v2, 'rgb_to_thermal_homography.json'))
    out = gen.run(str(tmp_path))
    stats = _read(out, 'stats.json')
    assert len(_read(out, 'pseudo_coco.json')['images']) == 5
    assert stats['car']['recall_raw'] > 0.8 and stats['car']['mean_iou_raw'] > 0.8, stats
    # the train split has no pairs in v2: one clear line, not a numpy error
    with pytest.raises(UserInputError) as err:
        PseudoLabelGenerator(
            source=dict(data_root=osp.join(v2, 'images_thermal_train'), ann_file='coco.json',
                        rgb_dir='../images_rgb_train/data'),
            teacher=gen.teacher_cfg, class_map=gen.class_map, score_thr=0.5,
            rgb_to_thermal=gen.matrix.tolist()).run(str(tmp_path / 'train'))
    assert 'no thermal frame' in _one_line(err)


# -- item 2 ----------------------------------------------------------------------------------
def _resized_rgb_copy(tmp_path, scale=(1.6, 1.28)):
    """A v1 set whose RGB frames 1 and 3 are resized (another resolution, same view), with a
    perfect teacher file in each frame's own pixels."""
    root = str(tmp_path / 'resized')
    generate_synthetic_flir(root, SyntheticFLIRSpec(splits={'train': 4}, **SPEC))
    with open(osp.join(root, 'train', 'rgb_annotations.json')) as f:
        teacher = json.load(f)
    sx, sy = scale
    resized = set()
    for im in teacher['images']:
        if im['id'] in (0, 2):
            path = osp.join(root, 'train', im['file_name'])
            img = cv2.imread(path)
            h, w = img.shape[:2]
            cv2.imwrite(path, cv2.resize(img, (round(w * sx), round(h * sy))))
            resized.add(im['id'])
    for a in teacher['annotations']:
        if a['image_id'] in resized:
            x, y, w, h = a['bbox']
            a['bbox'] = [x * sx, y * sy, w * sx, h * sy]
    with open(osp.join(root, 'train', 'rgb_annotations.json'), 'w') as f:
        json.dump(teacher, f)
    return root


def test_rgb_frames_of_another_size_are_scaled(tmp_path):
    """Before: the frame size was never read and these frames' boxes missed the truth."""
    root = _resized_rgb_copy(tmp_path)
    out = _gen(root).run(str(tmp_path / 'out'))
    stats = _read(out, 'stats.json')
    for cls in ('person', 'car'):
        if stats[cls]['gt']:
            assert stats[cls]['mean_iou_raw'] > 0.85 and stats[cls]['recall_raw'] > 0.9, stats
    assert _read(out, 'spec.json')['rgb_frames_rescaled'] == 2
    with pytest.raises(UserInputError) as err:
        _gen(root, rgb_size_mismatch='error').run(str(tmp_path / 'strict'))
    assert 'fitted for 200x160' in _one_line(err)


def test_unknown_fit_size_refuses_mixed_sizes(tmp_path):
    root = _resized_rgb_copy(tmp_path)
    with open(osp.join(root, 'rgb_to_thermal_homography.json')) as f:
        H = json.load(f)['rgb_to_thermal']
    with pytest.raises(UserInputError) as err:
        _gen(root, rgb_to_thermal=H).run(str(tmp_path / 'out'))
    assert 'rgb_size' in _one_line(err)


class _Recorder(MaskBackend):
    """Masks equal to the shrunk box (so every box is 'refined'); records the calls."""

    def __init__(self):
        self.calls = []

    def predict_masks(self, image, boxes):
        self.calls.append(len(boxes))
        masks = np.zeros((len(boxes), ) + image.shape[:2], bool)
        for m, (x0, y0, x1, y1) in zip(masks, np.asarray(boxes).round().astype(int)):
            m[y0 + 1:y1 - 1, x0 + 1:x1 - 1] = True
        return masks


def test_refiner_classes_are_honoured_in_the_pipeline(v1, tmp_path):
    """Before: refine() got no labels, so classes=[...] refined nothing or everything."""
    gen = _gen(v1, classes=['car', 'person', 'bicycle'], refiner=dict(
        type='SAM2PseudoLabeler', backend=_Recorder(), classes=[0], iou_thr=0.0, min_area=1))
    stats = _read(gen.run(str(tmp_path)), 'stats.json')
    assert list(stats) == ['car', 'person', 'bicycle']  # the given label order is kept
    assert stats['car']['count'] and stats['car']['status'] == {'refined': stats['car']['count']}
    assert stats['person']['status'] == {'class_disabled': stats['person']['count']}
    by_name = _gen(v1, refiner=dict(type='SAM2PseudoLabeler', backend=_Recorder(),
                                    classes=['person'], iou_thr=0.0, min_area=1))
    stats = _read(by_name.run(str(tmp_path / 'n')), 'stats.json')
    assert set(stats['person']['status']) == {'refined'}
    assert set(stats['car']['status']) == {'class_disabled'}


def test_per_box_status_is_kept(v1, tmp_path):
    out = _gen(v1, refiner=dict(type='SAM2PseudoLabeler', backend=dict(type='thermal_otsu'),
                                iou_thr=0.5)).run(str(tmp_path))
    stats = _read(out, 'stats.json')
    for c in stats.values():
        assert sum(c['status'].values()) == c['count']
        assert c['refined'] == c['status'].get('refined', 0)
    with open(osp.join(osp.dirname(out), 'records.jsonl')) as f:
        records = [json.loads(line) for line in f]
    assert len(records) == 6
    assert all(len(r['status']) == len(r['boxes']) == len(r['raw']) for r in records)


def test_homography_file_without_its_key(tmp_path):
    path = str(tmp_path / 'h.json')
    with open(path, 'w') as f:
        json.dump({'H': np.eye(3).tolist()}, f)
    with pytest.raises(UserInputError) as err:
        load_matrix(path)
    msg = _one_line(err)
    assert path in msg and '"rgb_to_thermal"' in msg and "['H']" in msg and 'None' not in msg


def test_refiner_calls_are_chunked():
    backend = _Recorder()
    boxes = np.tile([[10.0, 10, 30, 40]], (150, 1))
    res = SAM2PseudoLabeler(backend=backend, max_boxes_per_call=64, iou_thr=0.0,
                            min_area=1).refine(np.zeros((64, 64, 3), np.uint8), boxes)
    assert backend.calls == [64, 64, 22] and res.status == ['refined'] * 150


def test_teacher_boxes_are_capped(v1, tmp_path, monkeypatch):
    rng = np.random.default_rng(0)

    def flood(self, path):  # an untrained teacher: thousands of boxes
        xy = rng.uniform(0, 150, (8400, 2))
        boxes = np.c_[xy, xy + rng.uniform(5, 40, (8400, 2))]
        return boxes, rng.uniform(0.5, 1.0, 8400), ['car'] * 8400

    monkeypatch.setattr(teachers_mod.CocoFileTeacher, 'predict', flood)
    backend = _Recorder()
    out = _gen(v1, max_boxes_per_frame=100, refiner=dict(
        type='SAM2PseudoLabeler', backend=backend, max_boxes_per_call=32)).run(str(tmp_path))
    assert max(backend.calls) <= 32 and sum(backend.calls) <= 6 * 100
    assert _read(out, 'spec.json')['boxes_over_cap'] == 6 * 8300


def test_missing_sam2_checkpoint(tmp_path):
    with pytest.raises(UserInputError) as err:
        Sam2PackageBackend('configs/sam2.1/sam2.1_hiera_l.yaml',
                           str(tmp_path / 'sam2.1_hiera_large.pt'))
    assert 'sam2.1_hiera_large.pt' in _one_line(err)
