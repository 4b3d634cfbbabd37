"""Name the file and the sample when data cannot be read; list skipped samples by name.

Two shared pieces used by every family's dataset with a one-line call:

* :func:`sample_errors` wraps ``prepare_data(idx)``: when loading a sample fails because
  of a file (missing, empty, unreadable, truncated...), it raises :class:`DataFileError`
  (a :class:`~mmext.utils.errors.UserInputError`) with **one line** naming the file, the
  sample (its id, frame...) and the dataset, e.g.
  ``data/flir/images_thermal_val/data/video-1.jpg: empty file (0 bytes); sample img_id=7
  of FLIRDataset (error: ...)``. Errors that do not look like a file problem keep their
  traceback and get that line as a note. ``tools/*`` print it as one ``error:`` line even
  when it was raised in a DataLoader worker (:func:`mmext.apis.run_cli`).
* :func:`record_skipped` lists samples a dataset leaves out (missing depth, no RGB
  partner...) in the log, by name, and keeps them for :class:`SkippedSamplesHook`, which
  writes ``<work_dir>/skipped.json``: ``{"<dataset> <split>": {"<reason>": [names]}}``.
"""
import json
import os
import os.path as osp
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Sequence

from .errors import UserInputError

__all__ = ['DataFileError', 'sample_errors', 'describe_sample', 'record_skipped',
           'skipped_samples', 'write_skipped_json', 'SKIPPED_FILE']

SKIPPED_FILE = 'skipped.json'
# keys of a data info that identify the sample, in the order they are shown
_ID_KEYS = ('dish_id', 'img_id', 'video_id', 'folder', 'frame_index', 'frame', 'start',
            'side', 'sample_idx')
_PATH_SUFFIXES = ('_path', '_paths', '_file', '_files')
_SKIPPED: Dict[str, Dict[str, List[str]]] = {}


class DataFileError(UserInputError):
    """A data file of a sample is missing, empty or cannot be decoded.

    The error raised is a subclass that also derives from the original error's class
    (``DataFileError_ValueError``, ``DataFileError_FileNotFoundError``...), so code and
    tests catching ``ValueError`` or ``FileNotFoundError`` still catch it.
    """


_COMPAT_BASES = (FileNotFoundError, PermissionError, OSError, EOFError, ValueError, KeyError,
                 IndexError, AssertionError, RuntimeError, TypeError)
_COMPAT: Dict[type, type] = {}
for _base in _COMPAT_BASES:  # module-level classes: picklable across DataLoader workers
    _name = f'DataFileError_{_base.__name__}'
    _cls = type(_name, (DataFileError, _base), {'__module__': __name__,
                                                '__qualname__': _name,
                                                '__str__': Exception.__str__})
    globals()[_name] = _COMPAT[_base] = _cls


def _error_class(err: BaseException) -> type:
    """DataFileError combined with the nearest listed base class of ``err``."""
    for base in type(err).__mro__:
        if base in _COMPAT:
            return _COMPAT[base]
    return DataFileError


def _file_paths(info: Any, collect: bool = False) -> List[str]:
    """Paths in a data info: strings under ``*_path(s)`` / ``*_file(s)`` / ``location``
    keys, also inside lists and dicts under such keys."""
    out: List[str] = []
    if isinstance(info, str):
        return [info] if collect and info else []
    if isinstance(info, dict):
        for key, value in info.items():
            hit = collect or (isinstance(key, str) and (key.endswith(_PATH_SUFFIXES)
                                                        or key == 'location'))
            out.extend(_file_paths(value, hit))
    elif isinstance(info, (list, tuple)):
        for value in info:
            out.extend(_file_paths(value, collect))
    return list(dict.fromkeys(out))


def describe_sample(info: Any, idx: int, dataset: Any = None) -> str:
    """``"dish_id=dish_1 of Nutrition5kDataset"``-like description of a sample."""
    parts = []
    if isinstance(info, dict):
        parts = [f'{k}={info[k]}' for k in _ID_KEYS if k in info and
                 isinstance(info[k], (str, int))]
    if not parts:
        parts = [f'index {idx}']
    where = f' of {type(dataset).__name__}' if dataset is not None else ''
    return ' '.join(parts) + where


_FILE_ERRORS = (OSError, EOFError)


def _looks_like_file_problem(err: BaseException, paths: Sequence[str]) -> bool:
    if isinstance(err, _FILE_ERRORS):
        return True
    name = type(err).__module__ + '.' + type(err).__name__
    if name.startswith('cv2.') or 'Format' in type(err).__name__:
        return True
    text = str(err)
    return any(p and p in text for p in paths)


def _culprit(err: BaseException, paths: Sequence[str]) -> str:
    """The file to blame: missing/empty, else all of them ('' when the error names one)."""
    text = str(err)
    if any(p and p in text for p in paths):
        return ''
    for p in paths:
        if '://' in p:
            continue
        if not osp.exists(p):
            return f'{p}: file not found'
        if osp.isfile(p) and osp.getsize(p) == 0:
            return f'{p}: empty file (0 bytes)'
    return ' or '.join(paths) if paths else '<no file path in the sample>'


def _one_line(text: str, limit: int = 400) -> str:
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    line = ' | '.join(lines[-2:]) if lines else ''
    return line[:limit]


@contextmanager
def sample_errors(dataset: Any, idx: int) -> Iterator[None]:
    """Re-raise a failure to load sample ``idx`` naming its file and id (module doc).

    Usage in a dataset: ``with sample_errors(self, idx): return super().prepare_data(idx)``.
    """
    try:
        yield
    except (UserInputError, KeyboardInterrupt):
        raise
    except Exception as err:  # noqa: BLE001 - re-raised below
        try:
            info = dataset.get_data_info(idx)
        except Exception:  # noqa: BLE001 - the description is best effort
            info = None
        paths = _file_paths(info)
        sample = describe_sample(info, idx, dataset)
        if not _looks_like_file_problem(err, paths) and \
                not any('://' not in p and (not osp.exists(p) or
                                            (osp.isfile(p) and osp.getsize(p) == 0))
                        for p in paths):
            err.add_note(f'while loading sample {sample} (files: {paths})')
            raise
        culprit = _culprit(err, paths)
        culprit = f'{culprit}; ' if culprit else ''
        raise _error_class(err)(f'{culprit}sample {sample}: {type(err).__name__}: '
                                f'{_one_line(err)}') from None


def record_skipped(dataset: Any, reason: str, names: Sequence[str], split: str = '') -> None:
    """Log the samples ``dataset`` leaves out for ``reason`` and keep them for skipped.json.

    Args:
        dataset: the dataset (its class name and ``split`` label the entry).
        reason: short reason, e.g. ``'no depth_raw.png'``.
        names: the samples' names (ids, file names), all listed.
        split: split/annotation file, to tell train from val.
    """
    from mmengine.logging import print_log

    if not names:
        return
    key = f'{type(dataset).__name__} {split}'.strip()
    entry = _SKIPPED.setdefault(key, {})
    entry.setdefault(reason, [])
    for n in names:
        if n not in entry[reason]:
            entry[reason].append(str(n))
    print_log(f'{key}: skipped {len(names)} sample(s) ({reason}): {", ".join(map(str, names))}',
              logger='current', level=30)


def skipped_samples() -> Dict[str, Dict[str, List[str]]]:
    """Everything recorded by :func:`record_skipped` in this process."""
    return {k: {r: list(v) for r, v in d.items()} for k, d in _SKIPPED.items()}


def write_skipped_json(work_dir: str) -> str:
    """Write ``<work_dir>/skipped.json`` when samples were skipped; return its path or ''."""
    if not _SKIPPED or not work_dir:
        return ''
    os.makedirs(work_dir, exist_ok=True)
    path = osp.join(work_dir, SKIPPED_FILE)
    tmp = path + f'.tmp-{os.getpid()}'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(skipped_samples(), f, indent=1, sort_keys=True)
    os.replace(tmp, path)
    return path
