"""tools/dist_*.sh and tools/slurm_*.sh pass the cluster settings through (mmdet's interface).

A fake ``srun`` / ``python`` on PATH records the command line it was given; the real
2-process training is tests/test_tools/test_dist_train.py.
"""
import os
import os.path as osp
import subprocess

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _recorder(tmp_path, name):
    bindir = tmp_path / 'bin'
    bindir.mkdir(exist_ok=True)
    path = bindir / name
    path.write_text('#!/bin/sh\nfor a in "$@"; do echo "$a"; done > "$RECORD"\n'
                    'echo "PYTHONPATH=$PYTHONPATH" >> "$RECORD"\n')
    path.chmod(0o755)
    return bindir


def _run(tmp_path, script, args, fake, **env):
    bindir = _recorder(tmp_path, fake)
    record = tmp_path / 'record.txt'
    full = {'PATH': f'{bindir}:/usr/bin:/bin', 'RECORD': str(record)}
    full.update(env)
    proc = subprocess.run(['bash', osp.join(ROOT, 'tools', script)] + args, env=full,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return record.read_text().splitlines()


def test_dist_train_multi_node_settings(tmp_path):
    argv = _run(tmp_path, 'dist_train.sh', ['cfg.py', '8', '--amp', '--amp-dtype', 'bfloat16'],
                'python', NNODES='2', NODE_RANK='1', MASTER_ADDR='10.1.2.3', PORT='29611')
    assert argv[:7] == ['-m', 'torch.distributed.run', '--nnodes=2', '--node_rank=1',
                        '--master_addr=10.1.2.3', '--nproc_per_node=8', '--master_port=29611']
    assert argv[7].endswith('tools/train.py')
    assert argv[8:13] == ['cfg.py', '--launcher', 'pytorch', '--amp', '--amp-dtype']


def test_dist_test_defaults_are_one_node(tmp_path):
    argv = _run(tmp_path, 'dist_test.sh', ['cfg.py', 'ckpt.pth', '4'], 'python')
    assert argv[2:7] == ['--nnodes=1', '--node_rank=0', '--master_addr=127.0.0.1',
                         '--nproc_per_node=4', '--master_port=29500']
    assert argv[7].endswith('tools/test.py') and argv[8:10] == ['cfg.py', 'ckpt.pth']


@pytest.mark.parametrize('script, args, tool, rest', [
    ('slurm_train.sh', ['gpu', 'job1', 'cfg.py', 'work', '--amp'], 'train.py',
     ['cfg.py', '--work-dir=work', '--launcher=slurm', '--amp']),
    ('slurm_test.sh', ['gpu', 'job1', 'cfg.py', 'ckpt.pth', '--out', 'x.pkl'], 'test.py',
     ['cfg.py', 'ckpt.pth', '--launcher=slurm', '--out', 'x.pkl']),
])
def test_slurm_scripts(tmp_path, script, args, tool, rest):
    argv = _run(tmp_path, script, args, 'srun', GPUS='16', GPUS_PER_NODE='8',
                SRUN_ARGS='--quotatype=auto --exclusive', PYTHON='python3')
    assert argv[:10] == ['-p', 'gpu', '--job-name=job1', '--gres=gpu:8', '--ntasks=16',
                         '--ntasks-per-node=8', '--cpus-per-task=5', '--kill-on-bad-exit=1',
                         '--quotatype=auto', '--exclusive']
    assert argv[10:12] == ['python3', '-u'] and argv[12].endswith(f'tools/{tool}')
    assert argv[13:-1] == rest
    assert argv[-1] == f'PYTHONPATH={ROOT}/tools/..:'
