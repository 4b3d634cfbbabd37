"""Read data files without executing code from them.

``np.load(..., allow_pickle=True)`` and ``pickle.load`` run whatever a crafted file asks
for. Data files that legitimately hold *object arrays* (monodepth2's ``gt_depths.npz``: a
1-D object array of float (H, W) maps) are read here by a restricted unpickler that can
only rebuild numpy arrays and dtypes; any other global in the pickle stream is refused
with :class:`UnsafeDataFileError`, so nothing is imported or called.
"""
import io
import pickle
import zipfile
from typing import Any

import numpy as np

__all__ = ['UnsafeDataFileError', 'load_npz_array', 'read_npy_safely']

# (module, name) pairs the pickle of an object array of numeric arrays refers to. numpy 1.x
# writes ``numpy.core.multiarray``; numpy 2 writes ``numpy._core.multiarray``.
_ALLOWED = {
    ('numpy', 'ndarray'): np.ndarray,
    ('numpy', 'dtype'): np.dtype,
}
try:  # numpy >= 2
    from numpy._core.multiarray import _reconstruct
except ImportError:  # pragma: no cover - numpy 1.x
    from numpy.core.multiarray import _reconstruct
for _mod in ('numpy.core.multiarray', 'numpy._core.multiarray'):
    _ALLOWED[(_mod, '_reconstruct')] = _reconstruct


class UnsafeDataFileError(ValueError):
    """A data file asks the unpickler for something other than numpy arrays."""


class _ArrayOnlyUnpickler(pickle.Unpickler):
    """Unpickler that resolves only numpy's array/dtype reconstruction globals."""

    def __init__(self, file, where: str):
        super().__init__(file, encoding='latin1')
        self.where = where

    def find_class(self, module: str, name: str) -> Any:
        obj = _ALLOWED.get((module, name))
        if obj is None:
            raise UnsafeDataFileError(
                f'{self.where}: refused to load: the pickled data asks for {module}.{name}; '
                f'only numpy arrays are accepted in data files (possible malicious file)')
        return obj

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafeDataFileError(f'{self.where}: refused to load: persistent ids in pickle')


def _check_numeric(arr: Any, where: str, depth: int = 0) -> None:
    """Raise unless ``arr`` is a numeric array or an object array of numeric arrays."""
    if not isinstance(arr, np.ndarray) or type(arr) is not np.ndarray:
        raise UnsafeDataFileError(f'{where}: expected a numpy array, got {type(arr).__name__}')
    if arr.dtype.hasobject:
        if depth > 0 or arr.dtype != object:
            raise UnsafeDataFileError(f'{where}: nested or structured object arrays are not '
                                      f'accepted (dtype {arr.dtype})')
        for item in arr.flat:
            _check_numeric(item, where, depth + 1)


def read_npy_safely(fp, where: str) -> np.ndarray:
    """Read one ``.npy`` stream; object arrays go through the restricted unpickler.

    Args:
        fp: binary file object positioned at the ``.npy`` magic string.
        where: file (and member) name used in error messages.

    Returns:
        The array (numeric, or a 1-D object array of numeric arrays).

    Raises:
        UnsafeDataFileError: for anything but numpy arrays in a pickled payload.
        ValueError: for a file that is not a valid ``.npy`` stream.
    """
    try:
        version = np.lib.format.read_magic(fp)
        reader = getattr(np.lib.format, '_read_array_header', None)
        if reader is not None:  # handles format versions 1.0, 2.0 and 3.0
            shape, fortran, dtype = reader(fp, version)
        elif version == (1, 0):  # pragma: no cover - older numpy
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp)
        else:  # pragma: no cover - older numpy
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp)
    except (ValueError, EOFError, SyntaxError) as err:
        raise ValueError(f'{where}: not a valid .npy array ({err})') from None
    if not dtype.hasobject:
        fp_data = fp.read()
        count = int(np.prod(shape, dtype=np.int64))
        if len(fp_data) < count * dtype.itemsize:
            raise ValueError(f'{where}: truncated array data ({len(fp_data)} of '
                             f'{count * dtype.itemsize} bytes)')
        arr = np.frombuffer(fp_data, dtype=dtype, count=count)
        return arr.reshape(shape, order='F' if fortran else 'C').copy()
    try:
        arr = _ArrayOnlyUnpickler(fp, where).load()
    except UnsafeDataFileError:
        raise
    except Exception as err:  # noqa: BLE001 - any unpickling failure is a corrupt file
        raise ValueError(f'{where}: corrupt object array ({type(err).__name__}: {err})') \
            from None
    _check_numeric(arr, where)
    if arr.shape != tuple(shape):
        raise ValueError(f'{where}: header says shape {shape}, payload has {arr.shape}')
    return arr


def load_npz_array(path: str, key: str) -> np.ndarray:
    """Load array ``key`` of an ``.npz`` file without executing code from it.

    Args:
        path: the ``.npz`` file.
        key: the array name (``data`` for monodepth2's ``gt_depths.npz``).

    Raises:
        KeyError: naming the file and the keys it holds, when ``key`` is absent.
        UnsafeDataFileError: when the pickled payload asks for anything but numpy arrays.
        ValueError: for a file that is not a valid ``.npz``.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n[:-4] if n.endswith('.npy') else n for n in zf.namelist()]
            if key not in names:
                raise KeyError(f'{path}: expected key {key!r}, found {names}')
            member = f'{key}.npy' if f'{key}.npy' in zf.namelist() else key
            payload = zf.read(member)
    except zipfile.BadZipFile as err:
        raise ValueError(f'{path}: not a valid .npz file ({err})') from None
    return read_npy_safely(io.BytesIO(payload), f'{path}[{key}]')
