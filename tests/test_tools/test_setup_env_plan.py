"""tools/setup_env.sh's choice of mmcv build (CPU ops, or CPU + CUDA ops on a GPU machine).

``--print-mmcv-plan`` runs the same decision functions the install uses and installs
nothing; fake ``nvidia-smi`` / ``nvcc`` executables on PATH stand in for a GPU machine.
"""
import os
import os.path as osp
import subprocess

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SCRIPT = osp.join(ROOT, 'tools', 'setup_env.sh')


def _fake(bindir, name, body):
    path = osp.join(bindir, name)
    with open(path, 'w') as f:
        f.write('#!/bin/sh\n' + body + '\n')
    os.chmod(path, 0o755)


def _plan(tmp_path, smi=None, nvcc=None, **env):
    bindir = tmp_path / 'bin'
    bindir.mkdir(exist_ok=True)
    if smi is not None:
        _fake(str(bindir), 'nvidia-smi', smi)
    if nvcc is not None:
        _fake(str(bindir), 'nvcc', f'echo "Cuda compilation tools, release {nvcc}, V{nvcc}.1"')
    full_env = {'PATH': f'{bindir}:/usr/bin:/bin', 'HOME': str(tmp_path),
                'MMEXT_TORCH_CUDA': '13.0', 'MMEXT_CUDA_TOOLKIT': '13.0.3.0',
                'MMEXT_DEFAULT_CUDA_HOME': str(tmp_path / 'no-cuda')}
    full_env.update(env)
    out = subprocess.run(['bash', SCRIPT, '--print-mmcv-plan', str(tmp_path / 'novenv')],
                         env=full_env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert not (tmp_path / 'novenv').exists()  # the plan installs nothing
    return dict(line.split('=', 1) for line in out.stdout.strip().splitlines())


def test_no_gpu_keeps_the_cpu_build(tmp_path):
    plan = _plan(tmp_path)
    assert plan['plan'] == 'cpu'
    nproc = subprocess.run(['nproc'], capture_output=True, text=True,  # nproc reads OMP_*
                           env={'PATH': '/usr/bin:/bin'}).stdout.strip()
    # exactly the environment of the CPU build used before GPU support existed
    assert plan['env'] == f'MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS={nproc}'


@pytest.mark.parametrize('smi', ['exit 9',  # driver present, no device / failure
                                 'echo "No devices were found"'])
def test_nvidia_smi_without_a_gpu_is_cpu(tmp_path, smi):
    assert _plan(tmp_path, smi=smi, nvcc='13.0')['plan'] == 'cpu'


def test_gpu_with_matching_machine_nvcc(tmp_path):
    plan = _plan(tmp_path, smi='printf "9.0\\n9.0\\n"', nvcc='13.0')
    assert plan['plan'] == 'cuda'
    assert plan['nvcc'] == str(tmp_path / 'bin' / 'nvcc')
    assert 'FORCE_CUDA=1' in plan['env'] and 'TORCH_CUDA_ARCH_LIST=9.0 ' in plan['env']


def test_mixed_gpus_give_every_arch_once(tmp_path):
    plan = _plan(tmp_path, smi='printf "8.0\\n9.0\\n8.0\\n"', nvcc='13.1')
    assert 'TORCH_CUDA_ARCH_LIST=8.0;9.0 ' in plan['env']


def test_wrong_machine_nvcc_uses_the_pypi_nvcc_matching_torch(tmp_path):
    plan = _plan(tmp_path, smi='echo 9.0', nvcc='12.4')
    assert plan['plan'] == 'cuda' and plan['nvcc'] == 'pypi'
    assert 'cuda-toolkit[nvcc,crt,cccl]==13.0.3.0' in plan['why']


def test_gpu_without_any_nvcc_source_stays_cpu_and_says_why(tmp_path):
    plan = _plan(tmp_path, smi='echo 9.0', MMEXT_CUDA_TOOLKIT='')
    assert plan['plan'] == 'cpu' and 'torchvision' in plan['why']


def test_cpu_torch_or_opt_out_stays_cpu(tmp_path):
    assert _plan(tmp_path, smi='echo 9.0', nvcc='13.0', MMEXT_TORCH_CUDA='')['plan'] == 'cpu'
    assert _plan(tmp_path, smi='echo 9.0', nvcc='13.0', MMEXT_MMCV_CUDA='0')['plan'] == 'cpu'
