"""tools/test.py end to end: --out, --show-dir, --table-out, and numbers equal to
pycocotools' own evaluation of the result file the run wrote."""
import os
import os.path as osp
import pickle

import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from mmext.detection.metrics.coco_classwise_metric import TABLE_COLUMNS, read_table_csv
from tests._helpers.tools import TEST, TRAIN, run_tool
from tests._helpers.toy_data import make_toy_flir, write_toy_config


def test_test_tool_outputs_and_pycocotools_equality(tmp_path):
    data = make_toy_flir(str(tmp_path / 'data'), train=4, val=3)
    cfg = write_toy_config(str(tmp_path / 'toy.py'), data, max_epochs=1,
                           extra="model = dict(test_cfg=dict(score_thr=0.0))\n")
    work = str(tmp_path / 'work')
    code, err = run_tool(TRAIN, cfg, '--work-dir', work, '--cfg-options',
                         'experiment_name=tt_train', 'visualizer.name=vis_tt_train')
    assert code == 0, err[-3000:]
    prefix = str(tmp_path / 'res')
    code, err = run_tool(
        TEST, cfg, osp.join(work, 'epoch_1.pth'), '--work-dir', work,
        '--out', str(tmp_path / 'preds.pkl'), '--show-dir', 'painted',
        '--table-out', str(tmp_path / 'table.csv'), '--cfg-options',
        f'test_evaluator.outfile_prefix={prefix}', 'experiment_name=tt_test',
        'visualizer.name=vis_tt_test')
    assert code == 0, err[-3000:]

    with open(tmp_path / 'preds.pkl', 'rb') as f:
        preds = pickle.load(f)
    assert len(preds) == 3 and all('pred_instances' in p for p in preds)
    painted = [f for _, _, files in os.walk(work) for f in files if f.endswith('.jpeg')]
    assert len(painted) == 3, painted

    ann = osp.join(data, 'val', 'thermal_annotations.json')
    coco = COCO(ann)
    table = read_table_csv(str(tmp_path / 'table.csv'))
    assert set(table) == {'person', 'bicycle', 'car', 'all'}
    if not osp.exists(prefix + '.bbox.json'):
        pytest.skip('the one-epoch toy model produced no detections')
    dets = coco.loadRes(prefix + '.bbox.json')
    for name, cat_ids in [('all', [1, 2, 3]), ('person', [1]), ('car', [3])]:
        e = COCOeval(coco, dets, 'bbox')
        e.params.catIds = cat_ids
        e.evaluate()
        e.accumulate()
        e.summarize()
        for i, col in enumerate(TABLE_COLUMNS):
            if e.stats[i] == -1:
                continue
            assert table[name][col] == pytest.approx(e.stats[i], abs=5e-5), (name, col)
