"""Content fingerprints of files and folders (run cards, synthetic data sets).

A fingerprint depends on the bytes only (never on modification times), so two copies of the
same data on two machines get the same value, and a regenerated set that changed by one byte
gets another.
"""
import hashlib
import os
import os.path as osp
from typing import Dict, Iterable, Optional

_CHUNK = 1 << 20


def file_sha256(path: str) -> str:
    """SHA-256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(_CHUNK), b''):
            digest.update(block)
    return digest.hexdigest()


def iter_files(root: str, skip_dirs: Iterable[str] = ()) -> Iterable[str]:
    """Paths of the files under ``root`` relative to it, sorted, '/'-separated.

    Args:
        root: folder to walk (links are followed for files, not for folders).
        skip_dirs: folder names to leave out wherever they occur (e.g. caches).
    """
    skip = set(skip_dirs)
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in skip)
        rel = osp.relpath(dirpath, root)
        for name in filenames:
            found.append(name if rel == '.' else osp.join(rel, name).replace(os.sep, '/'))
    return sorted(found)


def tree_sha256(root: str, skip_dirs: Iterable[str] = (), skip_files: Iterable[str] = ()
                ) -> Dict[str, object]:
    """Fingerprint of a whole folder: every file's relative path and content hash.

    Returns:
        ``dict(sha256=<hash over the sorted (path, file hash) pairs>, files=<count>,
        bytes=<total size>)``.
    """
    skip_names = set(skip_files)
    return files_sha256(root, (rel for rel in iter_files(root, skip_dirs)
                               if osp.basename(rel) not in skip_names))


def files_sha256(root: str, rels: Iterable[str]) -> Dict[str, object]:
    """Hash over the given files (paths relative to ``root``, taken in sorted order): each
    file's relative path and content hash; returns ``sha256``, ``files`` and ``bytes``."""
    digest = hashlib.sha256()
    count = size = 0
    for rel in sorted(rels):
        path = osp.join(root, rel)
        digest.update(f'{rel}\0{file_sha256(path)}\n'.encode())
        count += 1
        size += osp.getsize(path)
    return dict(sha256=digest.hexdigest(), files=count, bytes=size)


def listing_sha256(root: str, max_files: int = 200_000) -> Optional[Dict[str, object]]:
    """Cheap fingerprint of a (possibly large) data folder: relative paths and sizes.

    Reads no file contents, so it is fast on real data sets; it changes when files are
    added, removed or change size. None when ``root`` is not a folder.

    Args:
        root: data folder.
        max_files: stop after this many files (``truncated=True`` in the result).
    """
    if not osp.isdir(root):
        return None
    digest = hashlib.sha256()
    count = size = 0
    truncated = False
    for rel in iter_files(root):
        if count >= max_files:
            truncated = True
            break
        try:
            n = osp.getsize(osp.join(root, rel))
        except OSError:  # broken link
            n = -1
        digest.update(f'{rel}\0{n}\n'.encode())
        count += 1
        size += max(n, 0)
    return dict(sha256=digest.hexdigest(), files=count, bytes=size, truncated=truncated)
