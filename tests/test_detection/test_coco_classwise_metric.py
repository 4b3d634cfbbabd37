"""CocoClasswiseMetric numbers equal pycocotools' own evaluation of the same result file."""
import json

import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from mmext.detection.metrics import CocoClasswiseMetric
from mmext.detection.metrics.coco_classwise_metric import TABLE_COLUMNS, read_table_csv

CLASSES = ('person', 'bicycle', 'car')
CAT_IDS = {'person': 1, 'bicycle': 2, 'car': 3}


def _make_gt(rng, n_images=12):
    images, anns = [], []
    for i in range(n_images):
        images.append(dict(id=i, file_name=f'thermal_8_bit/FLIR_{i:05d}.jpeg',
                           width=640, height=512))
        for _ in range(rng.integers(1, 6)):
            cls = CLASSES[rng.integers(0, 3)]
            w, h = rng.uniform(8, 200), rng.uniform(8, 200)  # small, medium and large
            x, y = rng.uniform(0, 640 - w), rng.uniform(0, 512 - h)
            anns.append(dict(id=len(anns) + 1, image_id=i, category_id=CAT_IDS[cls],
                             bbox=[x, y, w, h], area=w * h, iscrowd=0))
    cats = [dict(id=1, name='person'), dict(id=2, name='bicycle'), dict(id=3, name='car'),
            dict(id=18, name='dog'), dict(id=91, name='other vehicle')]
    return dict(images=images, annotations=anns, categories=cats)


def _make_predictions(rng, gt):
    """Noisy copies of GT boxes (some with the wrong class), misses and false positives."""
    preds = {im['id']: [] for im in gt['images']}
    for a in gt['annotations']:
        if rng.random() < 0.15:
            continue  # missed
        x, y, w, h = a['bbox']
        jit = rng.normal(0, 0.08, 4) * [w, h, w, h]
        label = a['category_id'] if rng.random() > 0.1 else int(rng.choice([1, 2, 3]))
        preds[a['image_id']].append(([x + jit[0], y + jit[1], x + w + jit[2],
                                      y + h + jit[3]], rng.uniform(0.3, 1.0), label))
    for im in gt['images']:
        for _ in range(rng.integers(0, 3)):
            x, y = rng.uniform(0, 500), rng.uniform(0, 400)
            preds[im['id']].append(([x, y, x + rng.uniform(10, 100), y + rng.uniform(10, 100)],
                                    rng.uniform(0.0, 0.6), int(rng.choice([1, 2, 3]))))
    return preds


@pytest.fixture()
def coco_case(tmp_path):
    rng = np.random.default_rng(0)
    gt = _make_gt(rng)
    ann_file = str(tmp_path / 'gt.json')
    with open(ann_file, 'w') as f:
        json.dump(gt, f)
    return ann_file, gt, _make_predictions(rng, gt)


def _run_metric(ann_file, preds, tmp_path, classes=CLASSES, **kwargs):
    tmp_path.mkdir(parents=True, exist_ok=True)
    metric = CocoClasswiseMetric(ann_file=ann_file, outfile_prefix=str(tmp_path / 'res'),
                                 **kwargs)
    metric.dataset_meta = dict(classes=classes)
    label_of = {CAT_IDS[name]: k for k, name in enumerate(classes)}
    for img_id, dets in preds.items():
        inst = InstanceData()
        inst.bboxes = torch.tensor([d[0] for d in dets], dtype=torch.float32).reshape(-1, 4)
        inst.scores = torch.tensor([d[1] for d in dets], dtype=torch.float32)
        inst.labels = torch.tensor([label_of[d[2]] for d in dets], dtype=torch.long)
        sample = dict(img_id=img_id, ori_shape=(512, 640), pred_instances=inst)
        metric.process({}, [sample])
    return metric, metric.evaluate(len(preds))


@pytest.mark.parametrize('classes', [CLASSES, ('car', 'person', 'bicycle')])
def test_overall_and_per_class_equal_pycocotools(coco_case, tmp_path, classes):
    """Also with classes listed in another order than the file's categories."""
    ann_file, gt, preds = coco_case
    metric, results = _run_metric(ann_file, preds, tmp_path, classes=classes,
                                  table_out=str(tmp_path / 'table.csv'))
    coco = COCO(ann_file)
    # pycocotools on the very result file the metric wrote
    dt = coco.loadRes(str(tmp_path / 'res.bbox.json'))

    def evaluate(cat_ids):
        e = COCOeval(coco, dt, 'bbox')
        e.params.catIds = cat_ids
        e.evaluate()
        e.accumulate()
        e.summarize()
        return e.stats

    overall = evaluate([1, 2, 3])
    for i, col in enumerate(TABLE_COLUMNS):
        assert results[f'coco/bbox_{col}'] == pytest.approx(overall[i], abs=1e-12)
    table = read_table_csv(str(tmp_path / 'table.csv'))
    for name in CLASSES:
        stats = evaluate([CAT_IDS[name]])
        for i, col in enumerate(TABLE_COLUMNS):
            expected = float('nan') if stats[i] == -1 else stats[i]
            got = results[f'coco/bbox_{name}_{col}']
            if np.isnan(expected):
                assert np.isnan(got)
            else:
                assert got == pytest.approx(expected, abs=1e-12), (name, col)
                assert table[name][col] == pytest.approx(expected, abs=5e-5)
    # the predictions are imperfect but informative: AP well inside (0, 1)
    assert 0.2 < results['coco/bbox_mAP_50'] < 0.99


def test_markdown_table_written(coco_case, tmp_path):
    ann_file, _, preds = coco_case
    _, results = _run_metric(ann_file, preds, tmp_path, table_out=str(tmp_path / 't.md'))
    text = open(tmp_path / 't.md').read().splitlines()
    assert text[0].split('|')[1:-1] == [' class ', ' mAP ', ' mAP_50 ', ' mAP_75 ',
                                        ' mAP_s ', ' mAP_m ', ' mAP_l ']
    rows = {line.split('|')[1].strip(): line for line in text[2:]}
    assert set(rows) == {'person', 'bicycle', 'car', 'all'}
    assert f"{results['coco/bbox_car_mAP']:.4f}" in rows['car']


def test_no_detections_gives_zero(coco_case, tmp_path):
    ann_file, _, preds = coco_case
    empty = {k: [] for k in preds}
    _, results = _run_metric(ann_file, empty, tmp_path)
    assert results['coco/bbox_mAP'] == 0.0 and results['coco/bbox_person_mAP_50'] == 0.0


def test_only_bbox_supported():
    with pytest.raises(ValueError, match='bbox'):
        CocoClasswiseMetric(metric='segm')


@pytest.mark.parametrize('classes', [CLASSES, ('car', 'person', 'bicycle')])
def test_faster_coco_eval_backend_equals_pycocotools(coco_case, tmp_path, classes):
    pytest.importorskip('faster_coco_eval')
    ann_file, _, preds = coco_case
    _, reference = _run_metric(ann_file, preds, tmp_path / 'ref', classes=classes)
    _, fast = _run_metric(ann_file, preds, tmp_path / 'fast', classes=classes,
                          backend='faster_coco_eval')
    assert set(fast) == set(reference) and len(reference) == 6 * 4
    for key, value in reference.items():
        if np.isnan(value):
            assert np.isnan(fast[key]), key
        else:
            assert fast[key] == pytest.approx(value, abs=1e-12), key
    assert 0.2 < fast['coco/bbox_mAP_50'] < 0.99


def test_unknown_backend_refused():
    with pytest.raises(ValueError, match='backend'):
        CocoClasswiseMetric(backend='cocoapi')
