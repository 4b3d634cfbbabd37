"""The shared data-error helper: one line naming file and sample; skipped.json."""
import json
import os.path as osp

import pytest

from mmext.apis.runner import _one_line_message
from mmext.utils import data_errors
from mmext.utils.data_errors import (DataFileError, describe_sample, record_skipped,
                                     sample_errors, write_skipped_json)


class _FakeDataset:
    def __init__(self, info):
        self.info = info

    def get_data_info(self, idx):
        return self.info


def test_sample_errors_names_empty_file_and_sample(tmp_path):
    empty = tmp_path / 'frame.jpg'
    empty.write_bytes(b'')
    ds = _FakeDataset(dict(img_path=str(empty), img_id=7))
    with pytest.raises(DataFileError) as err:
        with sample_errors(ds, 3):
            raise OSError('decoder said no')
    text = str(err.value)
    assert f'{empty}: empty file (0 bytes)' in text and 'img_id=7 of _FakeDataset' in text
    assert '\n' not in text


def test_sample_errors_keeps_programming_errors(tmp_path):
    img = tmp_path / 'ok.png'
    img.write_bytes(b'x')
    ds = _FakeDataset(dict(img_path=str(img), dish_id='dish_1'))
    with pytest.raises(ZeroDivisionError) as err:
        with sample_errors(ds, 0):
            raise ZeroDivisionError('bug')
    assert any('dish_id=dish_1' in n for n in err.value.__notes__)


def test_describe_nested_paths_and_frames():
    info = dict(img_paths=['/a/0.png', '/a/1.png'], folder='2011_09_26/drive', frame_index=5,
                side='l')
    assert describe_sample(info, 0) == 'folder=2011_09_26/drive frame_index=5 side=l'
    assert data_errors._file_paths(info) == ['/a/0.png', '/a/1.png']


def test_dataloader_worker_message_is_one_line():
    wrapped = DataFileError(
        'Caught DataFileError in DataLoader worker process 0.\nOriginal Traceback (most '
        'recent call last):\n  File "x.py", line 1, in f\nmmext.utils.data_errors.'
        'DataFileError: /d/x.jpg: empty file (0 bytes); sample img_id=1 of FLIRDataset: ...')
    assert _one_line_message(wrapped) == \
        '/d/x.jpg: empty file (0 bytes); sample img_id=1 of FLIRDataset: ...'


def test_skipped_json(tmp_path, monkeypatch):
    monkeypatch.setattr(data_errors, '_SKIPPED', {})
    assert write_skipped_json(str(tmp_path)) == ''
    record_skipped(_FakeDataset({}), 'no depth_raw.png', ['dish_2', 'dish_9'], split='train')
    path = write_skipped_json(str(tmp_path))
    with open(path) as f:
        assert json.load(f) == {'_FakeDataset train': {'no depth_raw.png': ['dish_2',
                                                                            'dish_9']}}
    assert osp.basename(path) == 'skipped.json'
