"""Float32 islands under automatic mixed precision (``--amp``, fp16 or bf16).

Under ``torch.autocast`` matrix products and convolutions run in half precision (fp16 on
CUDA by default, bf16 on Hopper with ``--amp-dtype bfloat16`` and on CPU). That is right for
networks and wrong for mmext's own numerics: back-projecting pixels with K, warping with
poses, plane fits (normal equations), volumes (sums of many small prisms), SSIM's variances
(differences of nearly equal means), camera heights and slot attention's softmax over
slots lose digits or whole terms in 8 (bf16) or 11 (fp16) mantissa bits.

:func:`float32` marks such a function with one line::

    @float32
    def compute_volume(depth, K, mask, ...): ...

Inside, autocast is off (for every device type) and half-precision floating tensors among
the arguments (also inside lists, tuples and dicts) are cast to float32, so the function
computes exactly as without AMP. Outside autocast it is a plain call (no casts), so float64
inputs and the float32 path are untouched.
"""
import functools
from typing import Any, Callable, TypeVar

import torch

F = TypeVar('F', bound=Callable[..., Any])

_HALF = (torch.float16, torch.bfloat16)
_DEVICES = ('cuda', 'cpu')
#: Switch for tests that show what the guards prevent (never turn off in real runs).
GUARDS_ENABLED = True


def autocast_active() -> bool:
    """Whether autocast is enabled for any device type in this thread."""
    return any(torch.is_autocast_enabled(d) for d in _DEVICES)


def to_float32(obj: Any) -> Any:
    """Cast fp16/bf16 tensors in ``obj`` (nested lists, tuples, dicts) to float32."""
    if isinstance(obj, torch.Tensor):
        return obj.float() if obj.dtype in _HALF else obj
    if isinstance(obj, (list, tuple)) and not hasattr(obj, '_fields'):
        return type(obj)(to_float32(o) for o in obj)
    if isinstance(obj, dict):
        return {k: to_float32(v) for k, v in obj.items()}
    return obj


class float32_region:  # noqa: N801 (used like torch.no_grad)
    """Context manager: autocast off for every device type inside the block."""

    def __enter__(self):
        self._contexts = [torch.autocast(d, enabled=False) for d in _DEVICES
                          if torch.is_autocast_enabled(d)]
        for c in self._contexts:
            c.__enter__()
        return self

    def __exit__(self, *exc):
        for c in reversed(self._contexts):
            c.__exit__(*exc)
        return False


def float32(fn: F) -> F:
    """Decorator: run ``fn`` in float32 with autocast off when autocast is on (see module)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not GUARDS_ENABLED or not autocast_active():
            return fn(*args, **kwargs)
        with float32_region():
            return fn(*to_float32(args), **to_float32(kwargs))

    wrapper.__mmext_float32__ = True
    return wrapper  # type: ignore[return-value]
