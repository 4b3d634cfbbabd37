"""Upstream workarounds, kept in one place so each can be deleted when upstream releases its fix.

Each workaround is a small function applied by :func:`apply_all` (called by ``import mmext``)
and has its own test in ``tests/test_compat.py``. Each is idempotent.

1. :func:`allow_mmengine_checkpoint_globals` -- mmengine 0.10.7 calls ``torch.load`` without
   ``weights_only``; since torch 2.6 that means ``weights_only=True`` and mmengine's own
   checkpoints (which pickle its ``HistoryBuffer`` and numpy arrays/scalars inside the
   message hub state) fail to load, so ``load_from`` and ``--resume`` break. Instead of
   loading unsafely, exactly the classes mmengine stores are added to torch's allow-list
   (``torch.serialization.add_safe_globals``); every other file is still loaded with the
   safe unpickler. ``HistoryBuffer.__getstate__`` also pickles its four built-in statistics
   functions, which protocol 2 writes as ``getattr(HistoryBuffer, 'min')``; allowing
   ``builtins.getattr`` would open the allow-list to anything reachable by attribute access,
   so instead :func:`slim_history_buffer_state` leaves those four out of the pickled state
   (``__setstate__`` re-creates them anyway). Consequence: checkpoints written by a process
   that imported mmext resume safely; checkpoints written by stock mmengine 0.10.7 (with the
   ``getattr`` entries) still need ``weights_only=False``, an explicit choice left to the
   user. Upstream fix: mmengine main (unreleased at 0.10.7).
2. :func:`stub_mmpretrain_multimodal` -- mmpretrain 1.2.0's ``mmpretrain.models`` imports
   ``mmpretrain.models.multimodal``, whose modules import transformers internals removed in
   transformers >= 4.5x (``apply_chunking_to_forward``, ``GenerationMixin`` from
   ``modeling_utils``...). An empty module is placed at that name before mmpretrain is
   imported, so the rest of ``mmpretrain.models`` (ViT/DINOv2, ResNet...) imports. The
   multimodal models (BLIP, Flamingo, ...) are then unavailable. This matters even for
   detection: mmdet 3.3's ``mmdet.models`` imports ``mmpretrain.models`` when mmpretrain is
   installed (ReID data preprocessor), so without the stub ``import mmdet.models`` fails too;
   ``import mmext`` must come first. Upstream fix: none released.
3. :func:`use_cpu_distributed_defaults` -- on a machine without CUDA, mmengine's pytorch
   launcher calls ``torch.cuda.set_device`` and wraps models with ``device_ids=[local_rank]``,
   both of which fail for CPU processes. Called by the tools with the config: it switches the
   process group backend to gloo and the DDP wrapper to ``device_ids=None``; the
   ``set_device`` call is skipped when CUDA is absent. Upstream: not fixed in 0.10.7.
4. :func:`mmext.utils.mmcv_ops.apply` -- mmcv 2.1.0's ``nms`` kernels read float32 only, so
   YOLOX's post-processing under autocast (bf16/fp16 boxes) stops with "expected scalar
   type Float": half inputs are cast to float32 first. And on a CUDA machine whose mmcv was
   built without CUDA kernels, ``nms`` (the only mmcv op mmext's configs reach on a device)
   runs ``torchvision.ops.nms`` for CUDA tensors, with one warning, keeping mmcv's boxes.
   Everything else runs mmcv's own kernel. Upstream: not fixed in mmcv 2.1.0.
"""
import importlib.util
import sys
import types
from typing import List

_APPLIED: List[str] = []


def mmengine_checkpoint_globals() -> list:
    """The non-tensor classes/functions that mmengine 0.10.7 pickles into checkpoints.

    Found with ``torch.serialization.get_unsafe_globals_in_checkpoint`` on checkpoints
    written by mmengine's CheckpointHook (message hub ``HistoryBuffer`` objects holding numpy
    arrays; numpy scalars in runtime info).
    """
    import numpy as np
    from mmengine.logging.history_buffer import HistoryBuffer

    try:  # numpy >= 2
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core.multiarray import _reconstruct, scalar
    dtypes = [type(np.dtype(t)) for t in (np.float64, np.float32, np.float16, np.int64,
                                          np.int32, np.int16, np.int8, np.uint64, np.uint32,
                                          np.uint16, np.uint8, np.bool_)]
    return [HistoryBuffer, _reconstruct, scalar, np.ndarray, np.dtype] + dtypes


_DEFAULT_STATISTICS = ('min', 'max', 'current', 'mean')


def slim_history_buffer_state() -> None:
    """Pickle ``HistoryBuffer`` without its built-in statistics functions (see module doc)."""
    from mmengine.logging.history_buffer import HistoryBuffer

    if getattr(HistoryBuffer.__getstate__, '_mmext_patched', False):
        return

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop('statistics_methods', None)
        custom = {k: v for k, v in self._statistics_methods.items()
                  if k not in _DEFAULT_STATISTICS}
        if custom:  # user-registered statistics travel as before
            state['statistics_methods'] = custom
        return state

    __getstate__._mmext_patched = True
    HistoryBuffer.__getstate__ = __getstate__
    _APPLIED.append('slim_history_buffer_state')


def allow_mmengine_checkpoint_globals() -> None:
    """Allow-list exactly what mmengine checkpoints contain for torch's safe unpickler."""
    import torch.serialization

    if not hasattr(torch.serialization, 'add_safe_globals'):  # torch < 2.4: nothing to do
        return
    torch.serialization.add_safe_globals(mmengine_checkpoint_globals())
    _APPLIED.append('allow_mmengine_checkpoint_globals')


def stub_mmpretrain_multimodal() -> None:
    """Let ``mmpretrain.models`` import next to current transformers (see module doc)."""
    name = 'mmpretrain.models.multimodal'
    if name in sys.modules or importlib.util.find_spec('mmpretrain') is None:
        return
    stub = types.ModuleType(name)
    stub.__doc__ = ('Placeholder installed by mmext.compat: mmpretrain 1.2.0 multimodal '
                    'models need transformers internals removed upstream.')
    stub.__all__ = []
    stub.__path__ = []  # a package, so "from .multimodal import X" fails with ImportError
    sys.modules[name] = stub
    _APPLIED.append('stub_mmpretrain_multimodal')


def _skip_cuda_set_device_without_cuda() -> None:
    """Make mmengine's pytorch launcher usable by CPU-only processes (see module doc)."""
    import torch
    from mmengine.dist import utils as dist_utils

    original = dist_utils._init_dist_pytorch
    if getattr(original, '_mmext_patched', False):
        return

    def _init_dist_pytorch(backend, init_backend='torch', **kwargs):
        if torch.cuda.is_available():
            return original(backend, init_backend=init_backend, **kwargs)
        import os

        import torch.distributed as torch_dist
        if init_backend != 'torch':
            raise ValueError(f'init_backend={init_backend!r} needs CUDA; '
                             "use 'torch' on CPU")
        kwargs.pop('device_id', None)
        torch_dist.init_process_group(backend=backend, rank=int(os.environ['RANK']),
                                      world_size=int(os.environ['WORLD_SIZE']), **kwargs)

    _init_dist_pytorch._mmext_patched = True
    dist_utils._init_dist_pytorch = _init_dist_pytorch
    _APPLIED.append('skip_cuda_set_device_without_cuda')


def use_cpu_distributed_defaults(cfg) -> bool:
    """Adapt a config for distributed training on CPU-only machines (see module doc).

    Args:
        cfg: the mmengine Config about to be given to the Runner.

    Returns:
        True when the config was changed (launcher set and no CUDA).
    """
    import torch

    if cfg.get('launcher', 'none') == 'none' or torch.cuda.is_available():
        return False
    env_cfg = cfg.setdefault('env_cfg', {})
    dist_cfg = env_cfg.setdefault('dist_cfg', {})
    dist_cfg['backend'] = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg') or dict(type='MMDistributedDataParallel')
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    return True


def apply_all() -> List[str]:
    """Apply every workaround once; return the names applied in this process."""
    if not _APPLIED:
        stub_mmpretrain_multimodal()
        allow_mmengine_checkpoint_globals()
        slim_history_buffer_state()
        _skip_cuda_set_device_without_cuda()
        from mmext.utils.mmcv_ops import apply as wrap_mmcv_nms
        if wrap_mmcv_nms():
            _APPLIED.append('wrap_mmcv_nms')
    return list(_APPLIED)
