"""The synthetic twins (KITTI road, Cityscapes, MOVi, Nutrition5k trays, NYU / KITTI-eigen depth
benchmarks) write byte-identical files: twice in one process, and in another process whose
kernels differ as another machine's would (thread counts, OpenCV's SIMD dispatch limited to
SSE3, NumPy's dispatch limited to its baseline, OpenBLAS's oldest x86-64 kernels, ATen's
default kernels). Each set carries a stamp with its generator version, arguments and content
hash; for the pinned OpenCV / NumPy versions the hashes equal the ones recorded on the
project machine, so running this file on another machine compares it with that one.

Run as a script (``python test_twins_portable.py OUT``) it writes the tiny sets under OUT and
prints their content hashes as JSON (the test's second process does that).
"""
import json
import math
import os
import os.path as osp
import platform
import subprocess
import sys

import numpy as np
import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _tiny_generators():
    from mmext.synthetic.cityscapes_road import write_synthetic_cityscapes
    from mmext.synthetic.depth_benchmark_twins import (generate_kitti_eigen_twin,
                                                       generate_nyu_twin)
    from mmext.synthetic.kitti_road import write_synthetic_kitti
    from mmext.synthetic.movi import write_synthetic_movi
    from mmext.synthetic.nutrition5k_trays import generate_nutrition5k
    return {
        'kitti_road': lambda r: write_synthetic_kitti(r, num_drives=2, frames_per_drive=3,
                                                      image_size=(104, 32)),
        'cityscapes_road': lambda r: write_synthetic_cityscapes(
            r, num_sequences=2, frames_per_sequence=3, image_size=(64, 32)),
        'movi': lambda r: (write_synthetic_movi(r, 2, 'train', size=32, num_frames=4),
                           write_synthetic_movi(r, 2, 'validation', fmt='webdataset', seed=1,
                                                size=32, num_frames=4, max_objects=5)),
        'nutrition5k': lambda r: generate_nutrition5k(r, 3, 2, 0, (60, 80),
                                                      (77., 77., 39.5, 29.5), no_depth=1),
        'nyu': lambda r: generate_nyu_twin(r, num_images=1),
        'kitti_eigen': lambda r: generate_kitti_eigen_twin(r, num_images=1, size=(94, 310)),
    }


NAMES = ['kitti_road', 'cityscapes_road', 'movi', 'nutrition5k', 'nyu', 'kitti_eigen']
# content hashes of the tiny sets above (files + relative paths, stamps left out), measured on
# the project's AMD EPYC (AVX2) machine with these versions
GOLDEN = dict(opencv='5.0.0', numpy='2.4', sha256={
    'kitti_road': '60713e518405a6bbf0445f593b070a1fbcdb08624fdb5a5ba938c9fb6207fcb7',
    'cityscapes_road': 'f190d3a54c97042ada54a717ce61fd70d101db75009302737c29113436f5cbc6',
    'movi': '4a6443e4a0748657e13851f26717736450256825cef3f11751814394dc1169dc',
    'nutrition5k': '280823cf6edd41953e135da06cebbd22c58cd91516b8678fa16a80f313d30979',
    'nyu': 'bb4f6beacf8e475961e1b006a6c9efa6f51a4e6a8cbca934c31faca3a153008b',
    'kitti_eigen': '76314ac0e6bd7edfb3035e8707522dc4d147270eb8a61cee7a3ceeb995363355',
})


def _hash(root: str) -> str:
    from mmext.synthetic.stamp import content_sha256
    return content_sha256(root)['sha256']


def generate_all(out: str) -> dict:
    """Write every tiny set under ``out/<name>``; return name -> content sha256."""
    result = {}
    for name, fn in _tiny_generators().items():
        fn(osp.join(out, name))
        result[name] = _hash(osp.join(out, name))
    return result


def _other_machine_env() -> dict:
    """Environment whose kernels differ from this process's as another machine's would."""
    env = dict(os.environ, OMP_NUM_THREADS='2', OPENBLAS_NUM_THREADS='2', MKL_NUM_THREADS='2',
               ATEN_CPU_CAPABILITY='default',
               OPENCV_CPU_DISABLE='AVX512-SKX,AVX2,FP16,AVX,SSE4.2,SSE4.1,POPCNT,SSSE3',
               PYTHONPATH=os.pathsep.join([REPO, os.environ.get('PYTHONPATH', '')]))
    try:
        from numpy._core import _multiarray_umath as mu
    except ImportError:  # NumPy 1.x
        from numpy.core import _multiarray_umath as mu
    dispatch = [f for f in getattr(mu, '__cpu_dispatch__', [])
                if mu.__cpu_features__.get(f)]
    if dispatch:
        env['NPY_DISABLE_CPU_FEATURES'] = ','.join(dispatch)
    if platform.machine().lower() in ('x86_64', 'amd64'):
        env['OPENBLAS_CORETYPE'] = 'Prescott'
    return env


@pytest.fixture(scope='module')
def other_process(tmp_path_factory):
    out = tmp_path_factory.mktemp('other_process')
    env = _other_machine_env()
    proc = subprocess.run([sys.executable, osp.abspath(__file__), str(out)], env=env,
                          capture_output=True, text=True, timeout=300, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1]), env


@pytest.mark.parametrize('name', NAMES)
def test_identical_bytes_in_process_and_in_other_process(name, tmp_path, other_process):
    from mmext.synthetic.stamp import read_stamp
    fn = _tiny_generators()[name]
    fn(str(tmp_path / 'a'))
    fn(str(tmp_path / 'b'))
    a, b = _hash(str(tmp_path / 'a')), _hash(str(tmp_path / 'b'))
    assert a == b, f'{name}: two runs in one process wrote different bytes'
    hashes, env = other_process
    kernels = {k: env.get(k) for k in ('OPENCV_CPU_DISABLE', 'NPY_DISABLE_CPU_FEATURES',
                                       'OPENBLAS_CORETYPE', 'OMP_NUM_THREADS')}
    assert hashes[name] == a, (
        f'{name}: another process with other kernels ({kernels}) wrote other bytes')
    stamps = [f for f in os.listdir(tmp_path / 'a') if f.startswith('synthetic_info')]
    assert stamps, f'{name}: no stamp written'
    for s in stamps:
        stamp = read_stamp(str(tmp_path / 'a'), s)
        assert stamp['generator'].startswith('mmext.synthetic.')
        assert isinstance(stamp['generator_version'], int)
    if len(stamps) == 1:   # one stamp covers the whole set
        assert read_stamp(str(tmp_path / 'a'), stamps[0])['content']['sha256'] == a


@pytest.mark.parametrize('name', NAMES)
def test_known_content_hash(name, tmp_path):
    import cv2
    versions = (cv2.__version__, '.'.join(np.__version__.split('.')[:2]))
    if versions != (GOLDEN['opencv'], GOLDEN['numpy']):
        pytest.skip(f'golden hashes recorded with OpenCV {GOLDEN["opencv"]} / NumPy '
                    f'{GOLDEN["numpy"]}, here {versions}')
    _tiny_generators()[name](str(tmp_path))
    assert _hash(str(tmp_path)) == GOLDEN['sha256'][name], (
        f'the {name} twin wrote other bytes than on the project machine: the data (and every '
        'number measured on them) differ across machines')


def test_depth_twin_bytes_do_not_depend_on_opencv_state(tmp_path):
    """Without OpenCV's portable path the NYU twin's JPEG changed with cv2.setUseOptimized
    (its SIMD float64 resize differs by up to 1.2e-6): this fails without the fix."""
    import cv2
    from mmext.synthetic.depth_benchmark_twins import generate_nyu_twin
    old = cv2.useOptimized(), cv2.getNumThreads()
    try:
        cv2.setUseOptimized(True)
        cv2.setNumThreads(2)
        generate_nyu_twin(str(tmp_path / 'a'), num_images=1)
        cv2.setUseOptimized(False)
        cv2.setNumThreads(1)
        generate_nyu_twin(str(tmp_path / 'b'), num_images=1)
    finally:
        cv2.setUseOptimized(old[0])
        cv2.setNumThreads(old[1])
    assert _hash(str(tmp_path / 'a')) == _hash(str(tmp_path / 'b'))


def test_stamp_versions_and_arguments(tmp_path, monkeypatch):
    from mmext.synthetic import kitti_road, movi
    from mmext.synthetic.stamp import is_current, read_stamp
    root = str(tmp_path / 'k')
    kw = dict(num_drives=2, frames_per_drive=3, image_size=(64, 24))
    assert not kitti_road.is_generated(root, **kw)
    info = kitti_road.write_synthetic_kitti(root, **kw)
    stamp = read_stamp(root)
    assert stamp['content']['sha256'] == info['content_sha256']
    assert stamp['params']['image_size'] == [64, 24] and stamp['params']['seed'] == 0
    assert kitti_road.is_generated(root, **kw)
    assert not kitti_road.is_generated(root, **dict(kw, seed=1))
    with pytest.raises(TypeError, match='unknown'):
        kitti_road.is_generated(root, drives=2)
    monkeypatch.setattr(kitti_road, 'GENERATOR_VERSION', kitti_road.GENERATOR_VERSION + 1)
    assert not kitti_road.is_generated(root, **kw), 'a bumped version must mark the set stale'
    monkeypatch.undo()
    # verify=True rereads the files: an edited file no longer matches the stamp
    params = stamp['params']
    assert is_current(root, stamp['generator'], stamp['generator_version'], params, verify=True)
    with open(osp.join(root, 'splits', 'synthetic', 'val_files.txt'), 'a') as f:
        f.write('edited\n')
    assert not is_current(root, stamp['generator'], stamp['generator_version'], params,
                          verify=True)
    # MOVi: one stamp per split under the same root
    movi.write_synthetic_movi(str(tmp_path / 'm'), 1, 'train', size=16, num_frames=2)
    assert movi.is_generated(str(tmp_path / 'm'), 'train', num_videos=1, size=16, num_frames=2)
    assert not movi.is_generated(str(tmp_path / 'm'), 'validation', num_videos=1, size=16,
                                 num_frames=2)


def test_libm_wrappers():
    from mmext.utils.determinism import libm_cos, libm_exp, libm_sin, libm_tan
    x = np.linspace(-7, 7, 101).reshape(1, 101)
    for fn, ref in ((libm_sin, math.sin), (libm_cos, math.cos), (libm_tan, math.tan),
                    (libm_exp, math.exp)):
        out = fn(x)
        assert out.shape == x.shape and out.dtype == np.float64
        assert out.tolist() == [[ref(v) for v in x[0].tolist()]]
        scalar = fn(np.float64(0.3))
        assert np.ndim(scalar) == 0 and float(scalar) == ref(0.3)


if __name__ == '__main__':
    sys.path.insert(0, REPO)
    print(json.dumps(generate_all(sys.argv[1])))
