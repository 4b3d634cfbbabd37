"""Checkpoints that are written atomically, carry per-tensor checksums, and fail loudly.

mmengine 0.10.7 writes a checkpoint straight onto its final name (a crash mid-write leaves
a truncated ``epoch_N.pth`` that ``last_checkpoint`` points to) and loads whatever
``torch.load`` returns: a truncated or garbage file gives a long traceback, and a file
with a few KB overwritten inside a tensor loads silently with wrong numbers. :func:`install`
(called by :func:`mmext.apis.build_runner`) wraps the two functions mmengine's Runner uses:

* **save** (``Runner.save_checkpoint`` -> ``save_checkpoint``): after every hook has added
  its state, a CRC32 of every tensor's bytes is stored in ``meta['mmext_checksums']``
  (``{'state_dict/backbone.conv.weight': crc, 'optimizer/state/0/exp_avg': crc, ...}``);
  local files are written to ``<name>.tmp-<pid>``, flushed, fsynced and renamed onto the
  final name, so a reader never sees a half-written checkpoint.
* **load** (``Runner.load_checkpoint``, used by ``load_from``, ``--resume`` and
  ``tools/test.py``): a file that cannot be read raises
  :class:`~mmext.utils.errors.UserInputError` naming it (one ``error:`` line from the
  tools); a file whose tensors no longer match their checksums is refused the same way,
  naming the first bad tensor. Checkpoints without checksums (older runs, other tools)
  load as before.

:func:`choose_resume_checkpoint` implements ``--resume`` without a path: the newest
checkpoint of the work dir that loads and verifies, saying which newer ones were skipped.
"""
import glob
import os
import os.path as osp
import re
import sys
import zlib
from typing import Any, Dict, Iterator, List, Optional, Tuple

import torch

from mmext.utils.errors import UserInputError

__all__ = ['install', 'tensor_checksums', 'verify_checkpoint', 'load_checked',
           'choose_resume_checkpoint', 'CHECKSUM_KEY']

CHECKSUM_KEY = 'mmext_checksums'
_INSTALLED: List[str] = []
# a checkpoint verified by choose_resume_checkpoint, handed to the Runner without a 2nd read
_VERIFIED: Dict[str, Tuple[Tuple[float, int], dict]] = {}


def _walk_tensors(obj: Any, prefix: str = '') -> Iterator[Tuple[str, torch.Tensor]]:
    """Yield ``(path, tensor)`` for every tensor in nested dicts/lists/tuples."""
    if isinstance(obj, torch.Tensor):
        yield prefix, obj
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from _walk_tensors(value, f'{prefix}/{key}' if prefix else str(key))
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            yield from _walk_tensors(value, f'{prefix}/{i}' if prefix else str(i))


def _crc(t: torch.Tensor) -> int:
    t = t.detach()
    if t.is_sparse or t.is_quantized or t.numel() == 0:
        return zlib.crc32(repr((tuple(t.shape), str(t.dtype))).encode())
    data = t.cpu().contiguous().reshape(-1).view(torch.uint8).numpy()
    return zlib.crc32(data)


def tensor_checksums(checkpoint: dict) -> Dict[str, int]:
    """CRC32 of every tensor of ``checkpoint`` (the ``meta`` entry excluded)."""
    body = {k: v for k, v in checkpoint.items() if k != 'meta'}
    return {path: _crc(t) for path, t in _walk_tensors(body)}


def verify_checkpoint(checkpoint: Any, filename: str) -> None:
    """Raise :class:`UserInputError` when a tensor does not match its stored checksum."""
    if not isinstance(checkpoint, dict):
        return
    meta = checkpoint.get('meta')
    stored = meta.get(CHECKSUM_KEY) if isinstance(meta, dict) else None
    if not stored:
        return
    now = tensor_checksums(checkpoint)
    missing = sorted(set(stored) - set(now))
    if missing:
        raise UserInputError(
            f'checkpoint {filename!r} is corrupt: {len(missing)} tensor(s) listed in its '
            f'checksums are missing (first: {missing[0]}); use an earlier checkpoint')
    bad = [p for p, crc in stored.items() if now[p] != crc]
    if bad:
        raise UserInputError(
            f'checkpoint {filename!r} is corrupt: {len(bad)} tensor(s) do not match the '
            f'checksums written with it (first: {bad[0]}); the file was damaged after it '
            f'was saved; use an earlier checkpoint')


def _describe(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f'{type(err).__name__}: {text[0] if text else ""}'[:300]


def load_checked(filename: str, map_location: Any = 'cpu', loader=None) -> dict:
    """Load a checkpoint file and verify it; errors name the file in one line.

    Args:
        filename: checkpoint path (or URL, handled by mmengine's loaders).
        map_location: as for ``torch.load``.
        loader: the underlying ``(filename, map_location) -> checkpoint`` (default:
            mmengine's ``_load_checkpoint``).

    Raises:
        UserInputError: missing, empty, truncated, not a checkpoint, refused by the safe
            unpickler, or tensors not matching their checksums.
    """
    local = '://' not in filename
    if local:
        key = osp.abspath(filename)
        cached = _VERIFIED.pop(key, None)
        if cached is not None and osp.isfile(filename) and cached[0] == _stamp(filename):
            # loaded on the CPU; load_state_dict copies onto the parameters' devices
            return cached[1]
        if not osp.isfile(filename):
            raise UserInputError(f'checkpoint not found: {filename!r}')
        if osp.getsize(filename) == 0:
            raise UserInputError(f'checkpoint {filename!r} is empty (0 bytes); it was '
                                 'probably cut off while being written')
    if loader is None:
        from mmengine.runner.checkpoint import _load_checkpoint
        loader = _ORIGINAL.get('load', _load_checkpoint)
    try:
        checkpoint = loader(filename, map_location=map_location)
    except UserInputError:
        raise
    except FileNotFoundError:
        raise UserInputError(f'checkpoint not found: {filename!r}') from None
    except Exception as err:  # noqa: BLE001 - any reader failure means the file is bad
        raise UserInputError(
            f'checkpoint {filename!r} could not be loaded (truncated, corrupt, or not a '
            f'checkpoint; unsafe pickles are refused): {_describe(err)}') from None
    verify_checkpoint(checkpoint, filename)
    return checkpoint


def _stamp(path: str) -> Tuple[float, int]:
    st = os.stat(path)
    return st.st_mtime, st.st_size


def _atomic_local_save(checkpoint: dict, filename: str) -> None:
    folder = osp.dirname(osp.abspath(filename))
    os.makedirs(folder, exist_ok=True)
    tmp = f'{filename}.tmp-{os.getpid()}'
    try:
        with open(tmp, 'wb') as f:
            torch.save(checkpoint, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, filename)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
    try:  # make the rename itself durable
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:  # pragma: no cover - file systems without directory fsync
        pass


def save_with_checksums(checkpoint: dict, filename: str, file_client_args=None,
                        backend_args=None) -> None:
    """mmengine's ``save_checkpoint`` plus checksums; atomic for local files."""
    meta = dict(checkpoint.get('meta') or {})
    meta[CHECKSUM_KEY] = tensor_checksums(checkpoint)
    checkpoint = dict(checkpoint, meta=meta)
    if '://' not in filename and file_client_args is None and not backend_args:
        _atomic_local_save(checkpoint, filename)
    else:
        _ORIGINAL['save'](checkpoint, filename, file_client_args=file_client_args,
                          backend_args=backend_args)


_ORIGINAL: Dict[str, Any] = {}


def install() -> None:
    """Route mmengine Runner's checkpoint save/load through this module (idempotent)."""
    if _INSTALLED:
        return
    from mmengine.runner import runner as runner_module

    _ORIGINAL['save'] = runner_module.save_checkpoint
    _ORIGINAL['load'] = runner_module._load_checkpoint

    def _load(filename, map_location=None, logger=None):
        return load_checked(filename, map_location=map_location,
                            loader=lambda f, map_location: _ORIGINAL['load'](
                                f, map_location=map_location, logger=logger))

    runner_module.save_checkpoint = save_with_checksums
    runner_module._load_checkpoint = _load
    _INSTALLED.append('runner')


def _checkpoint_order(path: str) -> Tuple[float, int]:
    """Sort key: newest first by modification time, then by the number in the name."""
    m = re.search(r'(\d+)\.pth$', osp.basename(path))
    return os.stat(path).st_mtime, int(m.group(1)) if m else -1


def choose_resume_checkpoint(work_dir: str) -> Optional[str]:
    """The newest checkpoint of ``work_dir`` that loads and verifies (``--resume`` auto).

    Candidates: the file named in ``last_checkpoint`` first, then every ``*.pth`` of the
    work dir, newest first. Each skipped one is reported on stderr with the reason.

    Returns:
        The path, or None when the work dir has no checkpoint (training starts fresh).

    Raises:
        UserInputError: when checkpoints exist but none of them loads.
    """
    candidates: List[str] = []
    last = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(last):
        with open(last) as f:
            named = f.read().strip()
        if named:
            candidates.append(named)
    found = [p for p in glob.glob(osp.join(work_dir, '*.pth')) if osp.isfile(p)]
    for path in sorted(found, key=_checkpoint_order, reverse=True):
        if osp.abspath(path) not in {osp.abspath(c) for c in candidates}:
            candidates.append(path)
    if not candidates:
        return None
    skipped = []
    for path in candidates:
        try:
            checkpoint = load_checked(path, map_location='cpu')
        except UserInputError as err:
            skipped.append(str(err))
            print(f'warning: --resume: skipping {err}', file=sys.stderr, flush=True)
            continue
        if not (isinstance(checkpoint, dict) and isinstance(checkpoint.get('meta'), dict)
                and 'epoch' in checkpoint['meta']):
            msg = f'{path!r} is not a training checkpoint (no meta.epoch)'
            skipped.append(msg)
            print(f'warning: --resume: skipping {msg}', file=sys.stderr, flush=True)
            continue
        if skipped:
            print(f'warning: --resume: resuming from {path} instead (the newest checkpoint '
                  'that loads)', file=sys.stderr, flush=True)
        _VERIFIED.clear()
        _VERIFIED[osp.abspath(path)] = (_stamp(path), checkpoint)
        return path
    raise UserInputError(f'--resume: no checkpoint in {work_dir!r} loads: '
                         + '; '.join(skipped) + '. Remove them or train without --resume')
