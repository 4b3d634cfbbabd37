"""Version stamps and content hashes of generated synthetic data sets.

Every synthetic twin writes, after all its files, a small JSON stamp (default
``<root>/synthetic_info.json``) holding the generator's name, its ``GENERATOR_VERSION``, the
arguments it was called with and a content sha256 of the files it wrote. The hash depends on
the bytes and relative paths only (:mod:`mmext.utils.fingerprint`), so comparing it between
two machines (or against a recorded value) shows whether they hold byte-identical data; the
version lets tools regenerate a set written by an older generator (:func:`is_current`).

A generator bumps its ``GENERATOR_VERSION`` whenever the same arguments would write other
bytes. A set without a stamp (written before stamps existed) is *not* current for
:func:`is_current`, but the datasets' ``generate_if_missing`` keep it as it is; they rewrite
a set only when its split file is missing or its stamp names another version or other
arguments (:func:`needs_generation`, used by the selfsup datasets).
"""
import json
import os
import os.path as osp
from typing import Dict, Iterable, Optional

from mmext.utils.fingerprint import files_sha256, iter_files

STAMP = 'synthetic_info.json'


def _jsonable(obj):
    """Arguments as JSON values (tuples -> lists, numpy scalars -> Python numbers)."""
    return json.loads(json.dumps(obj, default=lambda o: o.tolist() if hasattr(o, 'tolist')
                                 else str(o)))


def content_sha256(root: str, paths: Iterable[str] = ('.',)) -> Dict[str, object]:
    """Content hash of the files under ``paths`` (relative to ``root``; files or folders).

    Stamps (``synthetic_info*.json``) are left out. A file is named by its path relative to
    ``root``, so the value is the same wherever the set lies.

    Returns:
        ``dict(sha256=..., files=<count>, bytes=<total size>)``.
    """
    rels = set()
    for p in paths:
        full = osp.normpath(osp.join(root, p))
        if osp.isfile(full):
            rels.add(osp.relpath(full, root).replace(os.sep, '/'))
        elif osp.isdir(full):
            prefix = osp.relpath(full, root)
            rels.update(r if prefix == '.' else f'{prefix}/{r}'.replace(os.sep, '/')
                        for r in iter_files(full))
    return files_sha256(root, (r for r in rels if not (
        osp.basename(r).startswith('synthetic_info') and osp.basename(r).endswith('.json'))))


def write_stamp(root: str, generator: str, version: int, params: dict,
                paths: Iterable[str] = ('.',), name: str = STAMP) -> dict:
    """Hash what a generator wrote and record it with the generator's version and arguments.

    Args:
        root: Data root.
        generator: Module name of the generator.
        version: Its ``GENERATOR_VERSION``.
        params: The arguments that determine the bytes (JSON-able after tuple -> list).
        paths: What the generator wrote, relative to ``root``.
        name: Stamp file name under ``root``.

    Returns:
        The stamp (also written to ``<root>/<name>``, keys sorted, no time stamps).
    """
    stamp = dict(generator=generator, generator_version=int(version),
                 params=_jsonable(params), paths=sorted(paths),
                 content=content_sha256(root, paths))
    path = osp.join(root, name)
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(stamp, f, indent=1, sort_keys=True)
        f.write('\n')
    os.replace(tmp, path)
    return stamp


def read_stamp(root: str, name: str = STAMP) -> Optional[dict]:
    """The stamp under ``root``, or None when there is none."""
    path = osp.join(root, name)
    if not osp.isfile(path):
        return None
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def is_current(root: str, generator: str, version: int, params: dict, name: str = STAMP,
               verify: bool = False) -> bool:
    """True when ``root`` holds a complete set of this generator version and arguments.

    Args:
        verify: Also recompute the content hash and compare it with the stamp's (reads
            every file; catches edited or truncated files).
    """
    stamp = read_stamp(root, name)
    if not stamp or stamp.get('generator') != generator or \
            stamp.get('generator_version') != version or \
            stamp.get('params') != _jsonable(params):
        return False
    if verify:
        return content_sha256(root, stamp.get('paths', ('.',)))['sha256'] == \
            stamp.get('content', {}).get('sha256')
    return True


def call_params(fn, values: dict, skip: Iterable[str] = ('root',)) -> dict:
    """The arguments of generator ``fn`` (all of them, defaults filled in) from ``values``.

    Call as ``call_params(write_x, locals())`` first thing in ``write_x``, or with the keyword
    arguments of a planned call (then missing ones take their defaults).
    """
    import inspect
    sig = inspect.signature(fn)
    names = [k for k in sig.parameters if k not in skip]
    unknown = set(values) - set(sig.parameters)
    if unknown and not any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values()):
        raise TypeError(f'unknown {fn.__name__} arguments: {sorted(unknown)}')
    out = {}
    for k in names:
        p = sig.parameters[k]
        if p.kind == p.VAR_KEYWORD:   # from locals(): a dict; from a call: the extra keys
            out.update(values[k] if k in values else
                       {n: v for n, v in values.items() if n not in sig.parameters})
        elif k in values:
            out[k] = values[k]
        elif p.default is not p.empty:
            out[k] = p.default
    return out


def needs_generation(root: str, split_file: str, is_generated_fn, params: dict) -> bool:
    """Whether a dataset with ``generate_if_missing`` must (re)write its synthetic twin.

    True when ``split_file`` is absent, or when ``root`` carries a stamp of another
    generator version or other arguments (stale data would otherwise be read silently: a
    warning names the folder). A twin without a stamp (written before stamps existed) is
    kept as it is.
    """
    if not osp.isfile(split_file):
        return True
    if read_stamp(root) is None or is_generated_fn(root, **params):
        return False
    import warnings
    warnings.warn(f'{root}: the synthetic twin there was written by another generator version '
                  f'or with other arguments than {dict(params)}; writing it again')
    return True
