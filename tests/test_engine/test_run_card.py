"""Run card: written by every Runner that build_runner makes, complete and seed-neutral."""
import json
import os.path as osp

import pytest
from mmengine.config import Config

from mmext.engine.run_card import (CARD_NAMES, comparable_fields, config_digest,
                                   data_fingerprint)
from tests._helpers.tools import TEST, TRAIN, run_tool
from tests._helpers.toy_data import make_toy_flir, write_toy_config


def _train(cfg, work_dir, *extra):
    name = osp.basename(work_dir) + '_' + osp.basename(cfg)[:-3]
    code, err = run_tool(TRAIN, cfg, '--work-dir', work_dir, '--cfg-options',
                         f'experiment_name={name}', f'visualizer.name=vis_{name}', *extra)
    assert code == 0, err[-3000:]


@pytest.fixture(scope='module')
def toy_run(tmp_path_factory):
    """One tiny training (1 epoch with validation) and a test of its checkpoint."""
    root = tmp_path_factory.mktemp('card')
    data = make_toy_flir(str(root / 'data'), train=4, val=2)
    cfg = write_toy_config(str(root / 'toy.py'), data, max_epochs=1, with_val=True)
    work = str(root / 'work')
    _train(cfg, work, 'randomness.seed=7', 'train_cfg.val_interval=1')
    code, err = run_tool(TEST, cfg, osp.join(work, 'epoch_1.pth'), '--work-dir', work,
                         '--table-out', osp.join(work, 'per_class_map.csv'), '--cfg-options',
                         'experiment_name=card_test', 'visualizer.name=vis_card_test',
                         'randomness.seed=7')
    assert code == 0, err[-3000:]
    return dict(root=root, data=data, cfg=cfg, work=work)


def _card(work, mode='train'):
    with open(osp.join(work, CARD_NAMES[mode]), encoding='utf-8') as f:
        return json.load(f)


def test_train_card_has_every_field(toy_run):
    card = _card(toy_run['work'])
    assert card['status'] == 'finished' and card['mode'] == 'train'
    assert card['seed'] == 7 and card['randomness']['deterministic'] is True
    git = card['git']
    assert git['commit'] is None or len(git['commit']) == 40
    assert git['dirty'] in (True, False, None)
    for pkg in ('torch', 'mmcv', 'mmdet', 'mmengine', 'transformers', 'sam2', 'optuna'):
        assert pkg in card['packages']  # None when not installed, but always reported
    assert card['packages']['torch'] and card['packages']['mmengine']
    dev = card['device']
    assert dev['kind'] in ('cpu', 'cuda') and dev['cpu'] and dev['torch_threads'] >= 1
    assert len(card['config']['sha256']) == 64
    assert 'CocoClasswiseMetric' in card['config']['text']  # the full merged config
    files = card['data']['files']
    train_ann = osp.normpath(osp.join(toy_run['data'], 'train', 'thermal_annotations.json'))
    val_ann = osp.normpath(osp.join(toy_run['data'], 'val', 'thermal_annotations.json'))
    assert train_ann in files and val_ann in files
    assert len(files[train_ann]['sha256']) == 64
    assert osp.normpath(osp.join(toy_run['data'], 'train')) in card['data']['roots']
    assert card['wall_time_s'] > 0
    assert card['peak_memory']['cpu_rss_mib'] > 50
    assert card['last_checkpoint'].endswith('epoch_1.pth')
    assert 'coco/bbox_mAP' in card['metrics'] and card['metrics_at']['epoch'] == 1
    # a per-run copy stays in the log dir
    assert osp.isfile(osp.join(toy_run['work'], card['timestamp'], 'run_card.json'))


def test_test_card_has_the_test_metrics(toy_run):
    card = _card(toy_run['work'], 'test')
    assert card['mode'] == 'test' and card['status'] == 'finished'
    assert card['load_from'].endswith('epoch_1.pth')
    assert set(card['metrics']) >= {'coco/bbox_mAP', 'coco/bbox_mAP_50'}
    # the training card was not overwritten by the test run
    assert _card(toy_run['work'])['mode'] == 'train'


def test_config_digest_is_seed_neutral_and_nothing_else(tmp_path):
    base = dict(model=dict(lr=0.1), randomness=dict(seed=0, deterministic=True),
                work_dir='work/seed0', launcher='none',
                teacher='work_dirs/teacher/seed0/epoch_8.pth',
                ann_file=osp.abspath('work/seed0/pseudo_labels/abc/pseudo.json'))
    other_seed = dict(base, randomness=dict(seed=1, deterministic=True), work_dir='work/seed1',
                      teacher='work_dirs/teacher/seed1/epoch_8.pth',
                      ann_file=osp.abspath('work/seed1/pseudo_labels/def/pseudo.json'))
    assert config_digest(base, 0, 'work/seed0') == config_digest(other_seed, 1, 'work/seed1')
    for change in (dict(model=dict(lr=0.2)), dict(randomness=dict(seed=0, deterministic=False)),
                   dict(teacher='work_dirs/teacher/seed3/epoch_8.pth')):
        assert config_digest(dict(base, **change), 0, 'work/seed0') != \
            config_digest(base, 0, 'work/seed0'), change


def test_data_fingerprint_follows_file_contents(tmp_path):
    root = tmp_path / 'd'
    (root / 'train').mkdir(parents=True)
    ann = root / 'train' / 'ann.json'
    ann.write_text('{"images": []}')
    cfg = Config(dict(train_dataloader=dict(dataset=dict(data_root=str(root / 'train'),
                                                         ann_file='ann.json'))))
    first = data_fingerprint(cfg.to_dict())
    assert osp.normpath(str(ann)) in first['files']
    assert data_fingerprint(cfg.to_dict())['sha256'] == first['sha256']
    ann.write_text('{"images": [1]}')
    assert data_fingerprint(cfg.to_dict())['sha256'] != first['sha256']
    # files the run itself wrote in its work dir are recorded but not compared
    derived = data_fingerprint(cfg.to_dict(), work_dir=str(tmp_path / 'd'))
    assert derived['files'] == {} and osp.normpath(str(ann)) in derived['derived_files']


def test_comparable_fields_ignore_seed_and_timing(toy_run):
    card = _card(toy_run['work'])
    other = json.loads(json.dumps(card))
    other.update(seed=8, wall_time_s=1.0, started='x', work_dir='elsewhere')
    assert comparable_fields(card) == comparable_fields(other)
    other['packages']['torch'] = '0.0.1'
    assert comparable_fields(card) != comparable_fields(other)
    if card['device']['kind'] == 'cpu':  # CPU numbers depend on threads and kernels
        other = json.loads(json.dumps(card))
        other['device']['torch_threads'] += 1
        assert comparable_fields(card) != comparable_fields(other)
