"""FLIR tools: v2 RGB crop to the thermal view (+ pruned coco.json and its homography), the
v1+v2 merge with source tags, cutting a COCO head to FLIR classes, label-quality reports,
and the train/test matrix command."""
import json
import os.path as osp

import numpy as np
import pytest
import torch

from mmext.detection.datasets import FLIRDataset
from mmext.detection.datasets.flir_convert import (crop_rgb_to_thermal_view, merge_v1_v2,
                                                   thermal_view_in_rgb)
from mmext.detection.pseudo_labels import box_iou, map_boxes
from mmext.detection.pseudo_labels.quality import audit, dataset_statistics
from mmext.synthetic.flir import (SyntheticFLIRSpec, generate_synthetic_flir,
                                  generate_synthetic_flir_v2)
from tests._helpers.tools import REPO, run_tool

SPEC = dict(thermal_size=(160, 128), rgb_size=(240, 200), objects_per_image=(2, 4), seed=11,
            missing_rgb_ratio=0.0)


@pytest.fixture(scope='module')
def sets(tmp_path_factory):
    root = tmp_path_factory.mktemp('flir_tools')
    v1, v2 = str(root / 'v1'), str(root / 'v2')
    generate_synthetic_flir(v1, SyntheticFLIRSpec(splits={'train': 4, 'val': 3}, **SPEC))
    # a rig whose RGB camera sees more than the thermal one (as v2's): thermal = 0.9 * rgb - t
    wide = np.array([[0.9, 0, -27.0], [0, 0.9, -22.5], [0, 0, 1]])
    generate_synthetic_flir_v2(v2, SyntheticFLIRSpec(splits={'train': 4, 'val': 3,
                                                             'video': 3}, **SPEC),
                               rgb_to_thermal=wide)
    return dict(root=str(root), v1=v1, v2=v2)


def _xyxy(b):
    return [b[0], b[1], b[0] + b[2], b[1] + b[3]]


def test_crop_rgb_to_thermal_view_keeps_the_geometry(sets, tmp_path):
    v2 = sets['v2']
    with open(osp.join(v2, 'rgb_to_thermal_homography.json')) as f:
        H = np.array(json.load(f)['rgb_to_thermal'])
    src = osp.join(v2, 'images_rgb_train')
    # one frame of another size is dropped (counted), as unpairable
    import cv2
    with open(osp.join(src, 'coco.json')) as f:
        coco = json.load(f)
    odd = osp.join(src, coco['images'][3]['file_name'])
    cv2.imwrite(odd, cv2.resize(cv2.imread(odd), (100, 80)))
    out = str(tmp_path / 'cropped')
    summary = crop_rgb_to_thermal_view(src, osp.join(src, 'coco.json'), out, H, (160, 128),
                                       (240, 200))
    assert summary['frames_kept'] == 3 and summary['frames_dropped']['other_size'] == 1
    x0, y0, x1, y1 = thermal_view_in_rgb(H, (160, 128), (240, 200))
    assert (x0, y0, x1, y1) == (30, 25, 208, 168)  # thermal corners / 0.9 + (30, 25)
    with open(osp.join(out, 'coco.json')) as f:
        cropped = json.load(f)
    with open(osp.join(out, 'rgb_to_thermal_homography.json')) as f:
        new = json.load(f)
    assert new['rgb_size'] == [160, 128]
    assert {im['id'] for im in cropped['images']} == {0, 1, 2}
    assert all(osp.isfile(osp.join(out, im['file_name'])) for im in cropped['images'])
    assert all(cv2.imread(osp.join(out, im['file_name'])).shape[:2] == (128, 160)
               for im in cropped['images'])
    # the cropped boxes, mapped with the new homography, land where the old ones did
    old = {a['id']: a for a in coco['annotations']}
    for a in cropped['annotations']:
        before = map_boxes([_xyxy(old[a['id']]['bbox'])], H, clip_shape=(128, 160))
        after = map_boxes([_xyxy(a['bbox'])], np.array(new['rgb_to_thermal']),
                          clip_shape=(128, 160))
        assert box_iou(before, after)[0, 0] > 0.9
    assert len(cropped['annotations']) + summary['annotations_dropped'] == sum(
        a['image_id'] in (0, 1, 2) for a in coco['annotations'])


def test_merge_v1_v2_tags_sources_and_maps_categories(sets, tmp_path):
    out = str(tmp_path / 'merged' / 'train.json')
    code, err = run_tool(osp.join(REPO, 'tools', 'dataset_converters', 'merge_flir_v1_v2.py'),
                         sets['root'], out,
                         '--v1', osp.join(sets['v1'], 'train', 'thermal_annotations.json'),
                         '--v2', osp.join(sets['v2'], 'images_thermal_train', 'coco.json'))
    assert code == 0, err
    with open(out) as f:
        merged = json.load(f)
    assert [im['source'] for im in merged['images']] == ['v1'] * 4 + ['v2'] * 4
    assert {c['name'] for c in merged['categories']} == {'person', 'bicycle', 'car', 'dog',
                                                          'other vehicle'}
    ds = FLIRDataset(data_root=sets['root'], ann_file=out, data_prefix=dict(img=''),
                     metainfo=dict(classes=('person', 'bicycle', 'car')), pipeline=[],
                     test_mode=True)
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    assert [i['source'] for i in infos] == ['v1'] * 4 + ['v2'] * 4
    assert all(osp.isfile(i['img_path']) for i in infos)
    with open(osp.join(sets['v2'], 'images_thermal_train', 'coco.json')) as f:
        v2 = json.load(f)
    n_v2_bikes = sum(a['category_id'] == 2 for a in v2['annotations'])
    v2_ids = {im['id'] for im in merged['images'] if im['source'] == 'v2'}
    assert sum(a['category_id'] == 2 and a['image_id'] in v2_ids
               for a in merged['annotations']) == n_v2_bikes


def test_cut_coco_head_keeps_person_and_car_rows(tmp_path):
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    from mmdet.datasets import CocoDataset
    from mmext.registry import MODELS
    from tests._helpers.toy_data import DEMO_CFG
    cfg = Config.fromfile(DEMO_CFG)
    cfg.model.bbox_head.num_classes = 80
    with DefaultScope.overwrite_default_scope('mmext'):
        coco_model = MODELS.build(cfg.model)
    src = str(tmp_path / 'coco.pth')
    torch.save(dict(state_dict=coco_model.state_dict(), ema_state_dict=coco_model.state_dict(),
                    meta=dict()), src)
    out = str(tmp_path / 'flir.pth')
    code, err = run_tool(osp.join(REPO, 'tools', 'model_converters', 'coco_head_to_flir.py'),
                         src, out, '--classes', 'person', 'car', 'bicycle')
    assert code == 0, err
    cut = torch.load(out, weights_only=False)
    coco = list(CocoDataset.METAINFO['classes'])
    for k, v in coco_model.state_dict().items():
        if 'multi_level_conv_cls' in k:
            new = cut['state_dict'][k]
            assert new.shape[0] == 3
            assert torch.equal(new[0], v[coco.index('person')])
            assert torch.equal(new[1], v[coco.index('car')])
            assert torch.allclose(new[2], (v[coco.index('bicycle')] +
                                           v[coco.index('motorcycle')]) / 2)
            assert torch.equal(cut['ema_state_dict'][k], new)
        else:
            assert torch.equal(cut['state_dict'][k], v)
    assert cut['meta']['dataset_meta']['classes'] == ('person', 'car', 'bicycle')
    cfg.model.bbox_head.num_classes = 3
    with DefaultScope.overwrite_default_scope('mmext'):
        MODELS.build(cfg.model).load_state_dict(cut['state_dict'], strict=True)
    code, err = run_tool(osp.join(REPO, 'tools', 'model_converters', 'coco_head_to_flir.py'),
                         src, out, '--classes', 'person', 'tram')
    assert code == 2 and 'tram' in err and '\n' not in err.strip()


def test_audit_and_statistics_on_known_labels(sets):
    with open(osp.join(sets['v1'], 'train', 'thermal_annotations.json')) as f:
        gt = json.load(f)
    pred = json.loads(json.dumps(gt))
    cars = [a for a in pred['annotations'] if a['category_id'] == 3]
    pred['annotations'] = [a for a in pred['annotations'] if a['category_id'] != 3 or
                           a is not cars[0]]  # one car missed
    for a in pred['annotations']:
        if a['category_id'] == 1:  # persons shifted by half their width: IoU 1/3, no match
            a['bbox'] = [a['bbox'][0] + a['bbox'][2] / 2] + a['bbox'][1:]
    res = audit(pred, gt, ['person', 'car'])
    n_car = len(cars)
    assert res['car']['tp'] == n_car - 1 and res['car']['recall'] == pytest.approx(
        (n_car - 1) / n_car) and res['car']['precision'] == 1.0
    assert res['car']['mean_iou'] == pytest.approx(1.0)
    assert res['person']['tp'] == 0 and res['person']['recall'] == 0.0
    stats = dataset_statistics(gt, ['person', 'car'])
    assert stats['car']['boxes'] == n_car
    assert stats['car']['small'] + stats['car']['medium'] + stats['car']['large'] == n_car
    areas = [a['bbox'][2] * a['bbox'][3] for a in gt['annotations'] if a['category_id'] == 3]
    assert stats['car']['small'] == sum(x < 32**2 for x in areas)


def test_label_quality_tool_and_score_histogram(sets, tmp_path):
    from mmext.detection.pseudo_labels import PseudoLabelGenerator
    train = osp.join(sets['v1'], 'train')
    out = PseudoLabelGenerator(
        source=dict(data_root=train, ann_file='thermal_annotations.json', rgb_dir='RGB'),
        teacher=dict(type='coco_file', ann_file=osp.join(train, 'rgb_annotations.json')),
        class_map={'person': 'person', 'car': 'car'}, score_thr=0.5,
        rgb_to_thermal=osp.join(sets['v1'], 'rgb_to_thermal_homography.json')).run(
            str(tmp_path))
    with open(osp.join(osp.dirname(out), 'score_histogram.json')) as f:
        hist = json.load(f)
    with open(osp.join(train, 'rgb_annotations.json')) as f:
        teacher = json.load(f)
    n_person = sum(a['category_id'] == 1 for a in teacher['annotations'])
    assert sum(hist['counts']['person']) == n_person and hist['counts']['person'][-1] == n_person
    tool = osp.join(REPO, 'tools', 'analysis_tools', 'label_quality.py')
    code, err = run_tool(tool, 'scores', osp.dirname(out), '--png', str(tmp_path / 's.png'))
    assert code == 0 and osp.isfile(tmp_path / 's.png'), err
    code, err = run_tool(tool, 'audit', out, osp.join(train, 'thermal_annotations.json'))
    assert code == 0, err
    code, err = run_tool(tool, 'stats', f'gt={osp.join(train, "thermal_annotations.json")}',
                         f'pseudo={out}', '--classes', 'person', 'car')
    assert code == 0, err
    code, err = run_tool(tool, 'audit', str(tmp_path / 'none.json'), out)
    assert code == 2 and 'none.json' in err


@pytest.mark.slow
def test_matrix_command_prints_every_cell(sets, tmp_path, monkeypatch):
    """Two students x two FLIR val sets (v1.3 and v2 layouts), one command."""
    from mmengine.config import Config
    # the Runner logs and dumps the config through yapf: seconds per Runner
    monkeypatch.setattr(Config, 'pretty_text', property(lambda self: '# (not formatted)\n'))
    from mmengine.registry import DefaultScope

    from mmext.registry import MODELS
    from tests._helpers.toy_data import DEMO_CFG
    cfg_path = str(tmp_path / 'student.py')
    with open(cfg_path, 'w') as f:
        f.write(f"_base_ = {DEMO_CFG!r}\n"
                "classes = ('person', 'car')\n"
                "model = dict(bbox_head=dict(num_classes=2))\n"
                "train_dataloader = dict(dataset=dict(metainfo=dict(classes=classes)))\n"
                "val_dataloader = dict(batch_size=2, num_workers=0,\n"
                "    dataset=dict(metainfo=dict(classes=classes)))\n"
                "test_dataloader = val_dataloader\n"
                "visualizer = dict(vis_backends=[dict(type='LocalVisBackend')])\n")
    cfg = Config.fromfile(cfg_path)
    runs = []
    for k in range(2):
        torch.manual_seed(k)
        with DefaultScope.overwrite_default_scope('mmext'):
            model = MODELS.build(cfg.model)
        ckpt = str(tmp_path / f's{k}.pth')
        torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)
        runs += ['--run', f'm{k}={cfg_path},{ckpt}']
    code, err = run_tool(
        osp.join(REPO, 'tools', 'analysis_tools', 'flir_matrix.py'), *runs,
        '--test-set', f'v1={osp.join(sets["v1"], "val")},thermal_annotations.json',
        '--test-set', f'v2={osp.join(sets["v2"], "images_thermal_val")},coco.json',
        '--only', 'v1', 'v2', '--work-dir', str(tmp_path / 'w'),
        '--out', str(tmp_path / 'm.md'))
    assert code == 0, err[-3000:]
    text = open(tmp_path / 'm.md').read()
    for cell in ('m0 -> v1', 'm0 -> v2', 'm1 -> v1', 'm1 -> v2'):
        assert f'### {cell}' in text
    assert '| m1 |' in text and 'v2 car' in text
