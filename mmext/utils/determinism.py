"""Settings that make numerical results independent of the machine, where that is possible.

OpenCV picks SIMD code paths by CPU at run time (SSE4, AVX2, AVX-512 "dispatched" kernels);
some of them round differently from the baseline code, so the same drawing/blurring/warping
calls write different bytes on an AVX-512 server than on an AVX2 laptop. Measured with the
synthetic FLIR generator (opencv-python 5.0.0): the default run and a run with the AVX2
kernels disabled wrote different files. Generators that promise byte-identical data use
:func:`portable_opencv`, which runs OpenCV's baseline (non-dispatched) code on one thread.

NumPy chooses SIMD kernels for float64 transcendental functions by CPU too; generators
call :func:`libm_sin` & co. instead (see there). Torch, oneDNN and MKL choose kernels by CPU
as well; those are set by environment variables before the process starts (``make demo``
sets them; README, "Reproducing").
"""
import contextlib
import math
from typing import Iterator

import numpy as np


@contextlib.contextmanager
def portable_opencv() -> Iterator[None]:
    """Run OpenCV without its CPU-dispatched optimisations and on one thread, then restore.

    The baseline code of an x86-64 OpenCV wheel is the same machine code on every x86-64
    CPU, so images drawn inside this context are byte-identical across such machines (for
    one OpenCV version). About 20% slower for the synthetic generators.
    """
    import cv2
    optimized, threads = cv2.useOptimized(), cv2.getNumThreads()
    cv2.setUseOptimized(False)
    cv2.setNumThreads(1)
    try:
        yield
    finally:
        cv2.setUseOptimized(optimized)
        cv2.setNumThreads(threads)


# ----------------------------------------------------------------------------- libm math
# NumPy picks SIMD implementations of float64 sin/cos/tan/exp by CPU at import time: on
# AVX-512 machines some come from SVML or NumPy's own AVX-512 kernels, which are accurate
# to ~1 ulp but not equal to the C library's; on AVX2 machines (measured: NumPy 2.4 on this
# project's AMD EPYC, also with NPY_DISABLE_CPU_FEATURES=X86_V3) NumPy's results equal
# Python's ``math`` (glibc libm) exactly. The generators that promise identical bytes call
# these wrappers, which always take libm's value, so an AVX-512 machine writes what an AVX2
# machine writes. About 0.13 us per element (20x slower than NumPy's loop).
def _libm(fn, x):
    arr = np.asarray(x, dtype=np.float64)
    out = np.fromiter(map(fn, arr.ravel().tolist()), np.float64, arr.size).reshape(arr.shape)
    return out[()] if out.ndim == 0 else out


def libm_sin(x):
    """``np.sin`` computed element-wise by the C library (``math.sin``), float64."""
    return _libm(math.sin, x)


def libm_cos(x):
    """``np.cos`` computed element-wise by the C library (``math.cos``), float64."""
    return _libm(math.cos, x)


def libm_tan(x):
    """``np.tan`` computed element-wise by the C library (``math.tan``), float64."""
    return _libm(math.tan, x)


def libm_exp(x):
    """``np.exp`` computed element-wise by the C library (``math.exp``), float64."""
    return _libm(math.exp, x)
