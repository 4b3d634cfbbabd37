"""Pseudo-label generation: exact mapping with a perfect teacher, refinement of noisy boxes,
caching keyed by settings, and resuming an interrupted run."""
import json
import os.path as osp

import numpy as np
import pytest

from mmext.detection.pseudo_labels import PseudoLabelGenerator
from mmext.detection.pseudo_labels import teachers as teachers_mod
from mmext.synthetic.flir import SyntheticFLIRSpec, generate_synthetic_flir

CLASS_MAP = {'person': 'person', 'bicycle': 'bicycle', 'car': 'car'}


@pytest.fixture(scope='module')
def flir(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('plflir'))
    generate_synthetic_flir(root, SyntheticFLIRSpec(splits={'train': 12}, seed=4,
                                                    thermal_size=(320, 256),
                                                    rgb_size=(400, 320)))
    with open(osp.join(root, 'train', 'rgb_annotations.json')) as f:
        data = json.load(f)
    rng = np.random.default_rng(0)
    for a in data['annotations']:  # a teacher whose boxes are 5-20% too large per side
        x, y, w, h = a['bbox']
        d = rng.uniform(0.05, 0.2, 4) * [w, h, w, h]
        a['bbox'] = [x - d[0], y - d[1], w + d[0] + d[2], h + d[1] + d[3]]
        a['score'] = float(rng.uniform(0.3, 1.0))
    with open(osp.join(root, 'train', 'rgb_noisy.json'), 'w') as f:
        json.dump(data, f)
    return root


def _generator(root, teacher_file='rgb_annotations.json', **kw):
    return PseudoLabelGenerator(
        source=dict(data_root=osp.join(root, 'train'), ann_file='thermal_annotations.json',
                    rgb_dir='RGB'),
        teacher=dict(type='coco_file', ann_file=osp.join(root, 'train', teacher_file)),
        class_map=CLASS_MAP, rgb_to_thermal=osp.join(root, 'rgb_to_thermal_homography.json'),
        **{'score_thr': 0.5, **kw})


def _stats(path):
    with open(osp.join(osp.dirname(path), 'stats.json')) as f:
        return json.load(f)


def test_perfect_teacher_maps_onto_thermal_gt(flir, tmp_path):
    out = _generator(flir).run(str(tmp_path))
    stats = _stats(out)
    for cls in ('person', 'car'):
        assert stats[cls]['recall_raw'] > 0.9 and stats[cls]['precision_raw'] > 0.9
        assert stats[cls]['mean_iou_raw'] > 0.85, stats[cls]
    with open(out) as f:
        coco = json.load(f)
    with open(osp.join(flir, 'train', 'thermal_annotations.json')) as f:
        src = json.load(f)
    assert coco['categories'] == src['categories']  # FLIR ids kept
    assert {im['file_name'] for im in coco['images']} <= {im['file_name'] for im in src['images']}


def test_refinement_tightens_noisy_teacher_boxes(flir, tmp_path):
    raw = _stats(_generator(flir, 'rgb_noisy.json').run(str(tmp_path)))
    refined = _stats(_generator(flir, 'rgb_noisy.json', refiner=dict(
        type='SAM2PseudoLabeler', backend=dict(type='thermal_otsu'),
        iou_thr=0.5)).run(str(tmp_path)))
    for cls in ('person', 'car'):
        assert refined[cls]['mean_iou'] > refined[cls]['mean_iou_raw'] + 0.08, refined[cls]
        assert refined[cls]['recall'] >= refined[cls]['recall_raw']
    # the score threshold removed the low-score half of the teacher's boxes
    assert raw['car']['count'] < raw['car']['gt']


def test_cache_reuse_and_invalidation(flir, tmp_path):
    first = _generator(flir).run(str(tmp_path))
    mtime = osp.getmtime(first)
    assert _generator(flir).run(str(tmp_path)) == first and osp.getmtime(first) == mtime
    other = _generator(flir, score_thr=0.7).run(str(tmp_path))
    assert other != first


def test_interrupted_generation_resumes(flir, tmp_path, monkeypatch):
    calls = []
    original = teachers_mod.CocoFileTeacher.predict

    def failing(self, path):
        if len(calls) == 5:
            raise KeyboardInterrupt
        calls.append(path)
        return original(self, path)

    monkeypatch.setattr(teachers_mod.CocoFileTeacher, 'predict', failing)
    with pytest.raises(KeyboardInterrupt):
        _generator(flir).run(str(tmp_path))
    monkeypatch.setattr(teachers_mod.CocoFileTeacher, 'predict',
                        lambda self, p: (calls.append(p), original(self, p))[1])
    out = _generator(flir).run(str(tmp_path))
    assert len(calls) == len(set(calls))  # no frame labelled twice
    with open(out) as f:
        resumed = json.load(f)
    fresh = _generator(flir).run(str(tmp_path / 'fresh'))
    with open(fresh) as f:
        assert json.load(f)['annotations'] == resumed['annotations']


def test_make_pseudo_labels_tool_sets_train_annotations(flir, tmp_path):
    from tests._helpers.tools import REPO, run_tool
    cfg = tmp_path / 'pl.py'
    cfg.write_text(
        f"_base_ = {osp.join(REPO, 'configs/thermal/yolox_cpu_synthflir-pseudo-rgbgt-otsu_8e.py')!r}\n"
        f"pseudo_labels = dict(source=dict(data_root={osp.join(flir, 'train/')!r}),\n"
        f"    teacher=dict(ann_file={osp.join(flir, 'train/rgb_annotations.json')!r}),\n"
        f"    rgb_to_thermal={osp.join(flir, 'rgb_to_thermal_homography.json')!r})\n")
    tool = osp.join(REPO, 'tools', 'make_pseudo_labels.py')
    code, err = run_tool(tool, str(cfg), '--work-dir', str(tmp_path / 'work'))
    assert code == 0, err[-2000:]
    made = list((tmp_path / 'work' / 'pseudo_labels').glob('*/pseudo_coco.json'))
    assert len(made) == 1
    assert _stats(str(made[0]))['person']['recall'] > 0.6


def test_mmdet_teacher_runs_a_detector_checkpoint(flir, tmp_path):
    """MMDetTeacher loads any mmdet/mmext config + checkpoint and names classes."""
    import torch
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    from mmext.detection.pseudo_labels.teachers import MMDetTeacher
    from mmext.registry import MODELS
    from tests._helpers.toy_data import DEMO_CFG
    cfg = Config.fromfile(DEMO_CFG)
    with DefaultScope.overwrite_default_scope('mmext'):
        model = MODELS.build(cfg.model)
    ckpt = str(tmp_path / 'teacher.pth')
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(dataset_meta=dict(classes=('person', 'bicycle', 'car')))), ckpt)
    teacher = MMDetTeacher(DEMO_CFG, ckpt)
    boxes, scores, names = teacher.predict(osp.join(flir, 'train', 'RGB', 'FLIR_00001.jpg'))
    assert boxes.shape[1] == 4 and len(scores) == len(names) == len(boxes)
    assert set(names) <= {'person', 'bicycle', 'car'}
    assert teacher.identity['checkpoint'] == osp.abspath(ckpt)
