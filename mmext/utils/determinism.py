"""Settings that make numerical results independent of the machine, where that is possible.

OpenCV picks SIMD code paths by CPU at run time (SSE4, AVX2, AVX-512 "dispatched" kernels);
some of them round differently from the baseline code, so the same drawing/blurring/warping
calls write different bytes on an AVX-512 server than on an AVX2 laptop. Measured with the
synthetic FLIR generator (opencv-python 5.0.0): the default run and a run with the AVX2
kernels disabled wrote different files. Generators that promise byte-identical data use
:func:`portable_opencv`, which runs OpenCV's baseline (non-dispatched) code on one thread.

Torch, oneDNN and MKL choose kernels by CPU as well; those are set by environment
variables before the process starts (``make demo`` sets them; README, "Reproducing").
"""
import contextlib
from typing import Iterator


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
