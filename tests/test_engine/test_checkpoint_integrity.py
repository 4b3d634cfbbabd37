"""Corrupt checkpoints fail with one ``error:`` line; --resume falls back; writes are atomic
and per-tensor checksums catch silent damage (issue 17, item 5)."""
import glob
import os
import os.path as osp
import shutil
import struct
import zipfile

import pytest
import torch

from mmext.engine.checkpoint_integrity import (CHECKSUM_KEY, load_checked,
                                               save_with_checksums, tensor_checksums)
from mmext.utils.errors import UserInputError
from tests._helpers.hpo_toy import write_toy_config
from tests._helpers.tools import TEST, TRAIN, run_tool

TEST_PARTS = """
test_dataloader = val_dataloader
test_evaluator = val_evaluator
test_cfg = dict(type='TestLoop')
"""


def _error_lines(err: str):
    return [line for line in err.splitlines() if line.startswith('error:')]


def _train(cfg, work_dir, *extra):
    name = osp.basename(work_dir) + '_' + '_'.join(e.replace('=', '') for e in extra)[-20:]
    return run_tool(TRAIN, cfg, '--work-dir', work_dir, *extra, '--cfg-options',
                    f'experiment_name=ci_{name}_{len(os.listdir(osp.dirname(work_dir)))}')


def _overwrite_tensor_bytes(path: str, member_suffix: str, n: int = 4096) -> None:
    """Overwrite ``n`` bytes in the middle of the zip record ending in ``member_suffix``
    (a tensor's raw data), as a disk or copy error would."""
    with zipfile.ZipFile(path) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith(member_suffix))
    with open(path, 'r+b') as f:
        f.seek(info.header_offset + 26)  # the local header's name/extra lengths (padding)
        name_len, extra_len = struct.unpack('<HH', f.read(4))
        start = info.header_offset + 30 + name_len + extra_len
        f.seek(start + max(0, info.file_size // 2 - n // 2))
        f.write(b'\xff' * min(n, info.file_size))


def test_checksums_catch_4kb_overwritten_in_a_tensor(tmp_path):
    path = str(tmp_path / 'ckpt.pth')
    ckpt = dict(meta=dict(epoch=1, iter=2), state_dict={'w': torch.randn(20000)},
                optimizer={'state': {0: {'exp_avg': torch.randn(20000)}}})
    save_with_checksums(ckpt, path)
    assert not glob.glob(str(tmp_path / '*.tmp-*'))  # atomic: no temp file left
    loaded = load_checked(path)
    assert loaded['meta'][CHECKSUM_KEY] == tensor_checksums(ckpt)
    assert set(loaded['meta'][CHECKSUM_KEY]) == {'state_dict/w', 'optimizer/state/0/exp_avg'}
    # damage the optimizer tensor's data (record data/1): torch alone loads it silently
    _overwrite_tensor_bytes(path, 'data/1')
    plain = torch.load(path, map_location='cpu', weights_only=True)
    assert not torch.equal(plain['optimizer']['state'][0]['exp_avg'],
                           ckpt['optimizer']['state'][0]['exp_avg'])
    with pytest.raises(UserInputError, match=r"ckpt\.pth.*do not match the checksums.*"
                       r"optimizer/state/0/exp_avg"):
        load_checked(path)


@pytest.mark.parametrize('damage', ['truncated', 'empty', 'garbage'])
def test_damaged_files_are_one_line_errors(tmp_path, damage):
    path = str(tmp_path / 'ckpt.pth')
    save_with_checksums(dict(meta=dict(epoch=1), state_dict={'w': torch.randn(5000)}), path)
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write({'truncated': data[:len(data) // 2], 'empty': b'',
                 'garbage': b'not a checkpoint at all\n' * 50}[damage])
    with pytest.raises(UserInputError, match=r"checkpoint '.*ckpt\.pth' (is empty|could not "
                       r"be loaded)") as err:
        load_checked(path)
    assert '\n' not in str(err.value)


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """A 2-epoch toy run with a checkpoint per epoch."""
    root = tmp_path_factory.mktemp('ckpt_integrity')
    cfg = write_toy_config(str(root / 'toy.py'), max_epochs=2, ckpt_interval=1,
                           extra=TEST_PARTS)
    work = str(root / 'run')
    code, err = _train(cfg, work)
    assert code == 0, err[-3000:]
    return root, cfg, work


def _copy_run(trained, tmp_path):
    root, cfg, work = trained
    dst = str(tmp_path / 'run')
    shutil.copytree(work, dst)
    with open(osp.join(dst, 'last_checkpoint'), 'w') as f:
        f.write(osp.join(dst, 'epoch_2.pth'))
    return cfg, dst


def _truncate(path):
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])


def test_runs_write_checksummed_checkpoints(trained):
    _, _, work = trained
    for name in ('epoch_1.pth', 'epoch_2.pth'):
        ckpt = torch.load(osp.join(work, name), map_location='cpu', weights_only=True)
        assert ckpt['meta'][CHECKSUM_KEY] == tensor_checksums(ckpt)
        assert any(k.startswith('state_dict/') for k in ckpt['meta'][CHECKSUM_KEY])
    assert not glob.glob(osp.join(work, '*.tmp-*'))


def test_test_tool_load_from_and_explicit_resume_name_the_file(trained, tmp_path):
    cfg, work = _copy_run(trained, tmp_path)
    bad = osp.join(work, 'epoch_2.pth')
    _truncate(bad)
    for args in ([TEST, cfg, bad, '--work-dir', str(tmp_path / 't')],
                 [TRAIN, cfg, '--work-dir', str(tmp_path / 'l'), '--cfg-options',
                  f'load_from={bad}', 'experiment_name=ci_load_from'],
                 [TRAIN, cfg, '--work-dir', str(tmp_path / 'r'), '--resume', bad,
                  '--cfg-options', 'experiment_name=ci_resume_explicit']):
        code, err = run_tool(*args)
        assert code == 2, err[-2000:]
        lines = _error_lines(err)
        assert len(lines) == 1 and bad in lines[0] and 'could not be loaded' in lines[0], err
        assert 'Traceback' not in err


def test_auto_resume_falls_back_to_newest_good_checkpoint(trained, tmp_path):
    root, _, _ = trained
    cfg3 = write_toy_config(str(tmp_path / 'toy3.py'), max_epochs=3, ckpt_interval=1,
                            extra=TEST_PARTS)
    _, work = _copy_run(trained, tmp_path)
    _overwrite_tensor_bytes(osp.join(work, 'epoch_2.pth'), 'data/0', n=8)  # silent damage
    code, err = _train(cfg3, work, '--resume')
    assert code == 0, err[-3000:]
    assert 'epoch_2.pth' in err and 'do not match the checksums' in err
    assert f'resuming from {osp.join(work, "epoch_1.pth")} instead' in err
    ckpt = torch.load(osp.join(work, 'epoch_3.pth'), map_location='cpu', weights_only=True)
    assert ckpt['meta']['epoch'] == 3
    # every checkpoint corrupt: one error line naming the work dir
    for name in ('epoch_1.pth', 'epoch_2.pth', 'epoch_3.pth'):
        _truncate(osp.join(work, name))
    code, err = _train(cfg3, work, '--resume')
    assert code == 2 and len(_error_lines(err)) == 1 and 'no checkpoint in' in err, err
