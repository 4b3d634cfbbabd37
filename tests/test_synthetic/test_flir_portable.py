"""The synthetic FLIR set does not depend on the process's OpenCV state (SIMD dispatch,
threads) and, for the pinned OpenCV/NumPy versions, has a known content hash, so a test run
on any machine checks that it writes the same bytes as the machine the hash came from."""
import cv2
import numpy as np
import pytest

from mmext.synthetic.flir import SyntheticFLIRSpec, generate_synthetic_flir
from mmext.utils.determinism import portable_opencv
from mmext.utils.fingerprint import tree_sha256

SPEC = SyntheticFLIRSpec(splits={'train': 3, 'val': 2}, thermal_size=(160, 128),
                         rgb_size=(200, 160), seed=11)
# content hash of SPEC, measured with these versions on the project's AMD EPYC (AVX2) machine
GOLDEN = dict(opencv='5.0.0', numpy='2.4',
              sha256='89e8918fe4773bcd88e03c5b64a94160bea702cbd071345f52d177d0f3748c05')


def _hash(root) -> str:
    return tree_sha256(str(root))['sha256']


def test_bytes_do_not_depend_on_opencv_state(tmp_path):
    old = cv2.useOptimized(), cv2.getNumThreads()
    try:
        cv2.setUseOptimized(True)
        cv2.setNumThreads(2)
        generate_synthetic_flir(str(tmp_path / 'a'), SPEC)
        cv2.setUseOptimized(False)
        cv2.setNumThreads(1)
        generate_synthetic_flir(str(tmp_path / 'b'), SPEC)
    finally:
        cv2.setUseOptimized(old[0])
        cv2.setNumThreads(old[1])
    assert _hash(tmp_path / 'a') == _hash(tmp_path / 'b')
    assert tree_sha256(str(tmp_path / 'a'))['files'] > 10


def test_portable_opencv_restores_state():
    old = cv2.useOptimized(), cv2.getNumThreads()
    with portable_opencv():
        assert cv2.useOptimized() is False and cv2.getNumThreads() == 1
    assert (cv2.useOptimized(), cv2.getNumThreads()) == old


def test_known_content_hash(tmp_path):
    versions = (cv2.__version__, '.'.join(np.__version__.split('.')[:2]))
    if versions != (GOLDEN['opencv'], GOLDEN['numpy']):
        pytest.skip(f'golden hash recorded with OpenCV {GOLDEN["opencv"]} / NumPy '
                    f'{GOLDEN["numpy"]}, here {versions}')
    generate_synthetic_flir(str(tmp_path), SPEC)
    assert _hash(tmp_path) == GOLDEN['sha256'], (
        'the synthetic FLIR generator wrote other bytes than on the reference machine: '
        'data (and every demo number) differ across machines')
