"""Bad inputs give one clear error line naming the path (exit 2), not a traceback.

The tools' ``main`` runs in-process under ``run_cli`` exactly as ``python tools/x.py`` does
(``test_cli_subprocess`` checks one case through a real subprocess).
"""
import json
import os.path as osp
import subprocess
import sys

import pytest

from tests._helpers.tools import REPO, TEST, TRAIN, run_tool
from tests._helpers.toy_data import DEMO_CFG, make_toy_flir, write_toy_config

_run = run_tool


def test_cli_subprocess(tmp_path):
    missing = str(tmp_path / 'nope.py')
    proc = subprocess.run([sys.executable, TRAIN, missing], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    _assert_clean_error(proc.returncode, proc.stderr, missing, 'config file not found')


def _assert_clean_error(code, err, *needles):
    assert code == 2, err[-2000:]
    assert 'Traceback' not in err, err[-2000:]
    assert err.strip().splitlines()[-1].startswith('error: ')
    for needle in needles:
        assert needle in err, (needle, err)


def test_missing_config(tmp_path):
    missing = str(tmp_path / 'nope.py')
    code, err = _run(TRAIN, missing)
    _assert_clean_error(code, err, missing, 'config file not found')


def test_missing_data_root_names_path_and_generator(tmp_path):
    root = str(tmp_path / 'absent')
    code, err = _run(TRAIN, DEMO_CFG, '--work-dir', str(tmp_path / 'w'), '--cfg-options',
                     f'train_dataloader.dataset.data_root={root}/train/')
    _assert_clean_error(code, err, f'{root}/train/', 'make_synthetic_flir.py',
                        'flir.com')


def test_missing_checkpoint_for_test(tmp_path):
    ckpt = str(tmp_path / 'epoch_9.pth')
    code, err = _run(TEST, DEMO_CFG, ckpt)
    _assert_clean_error(code, err, ckpt, 'checkpoint')


def test_missing_checkpoint_for_resume(tmp_path):
    ckpt = str(tmp_path / 'epoch_9.pth')
    code, err = _run(TRAIN, DEMO_CFG, '--resume', ckpt)
    _assert_clean_error(code, err, ckpt)


@pytest.mark.parametrize('content,needle', [
    ('{"images": [], "annotations": []}', "missing list(s) ['categories']"),
    ('[1, 2, 3]', 'is not a COCO detection file'),
    ('not json at all', 'is not valid JSON'),
])
def test_annotation_file_not_coco(tmp_path, content, needle):
    data = make_toy_flir(str(tmp_path / 'data'), train=2, val=2)
    ann = osp.join(data, 'train', 'thermal_annotations.json')
    with open(ann, 'w') as f:
        f.write(content)
    cfg = write_toy_config(str(tmp_path / 'toy.py'), data, max_epochs=1)
    code, err = _run(TRAIN, cfg, '--work-dir', str(tmp_path / 'w'))
    _assert_clean_error(code, err, ann, needle)


def test_unknown_class_subset(tmp_path):
    data = make_toy_flir(str(tmp_path / 'data'), train=2, val=2)
    cfg = write_toy_config(str(tmp_path / 'toy.py'), data, max_epochs=1,
                           extra="train_dataloader['dataset']['metainfo'] = dict("
                                 "classes=('person', 'tram'))\n")
    code, err = _run(TRAIN, cfg, '--work-dir', str(tmp_path / 'w'))
    _assert_clean_error(code, err, "no categories named ['tram']")
    with open(osp.join(data, 'train', 'thermal_annotations.json')) as f:
        assert {c['name'] for c in json.load(f)['categories']} >= {'person', 'car'}


def test_amp_without_gpu_is_a_clear_error(tmp_path):
    import torch
    if torch.cuda.is_available():
        pytest.skip('a GPU is present: --amp is valid')
    code, err = _run(TRAIN, DEMO_CFG, '--amp', '--work-dir', str(tmp_path / 'w'))
    _assert_clean_error(code, err, '--amp needs a CUDA GPU')


def test_generate_if_missing_datasets_are_not_preflight_errors(tmp_path):
    from mmengine.config import Config

    from mmext.apis import check_config_inputs
    missing = str(tmp_path / 'nope')
    cfg = Config(dict(train_dataloader=dict(dataset=dict(
        type='MOViDataset', data_root=missing, generate_if_missing=True))))
    check_config_inputs(cfg)  # no error: the dataset generates its data
    cfg.train_dataloader.dataset.generate_if_missing = False
    with pytest.raises(Exception, match='nope'):
        check_config_inputs(cfg)
