"""Where a study lives: an SQLite file (default), a journal file, or any RDB URL.

``--storage`` accepts:

* nothing: ``sqlite:///<work-dir>/study.db`` (embedded, nothing to start);
* ``journal:///abs/path/study.log`` (or ``journal://relative/path.log``) or any path ending
  in ``.log``: optuna's ``JournalStorage(JournalFileBackend(path))``, an append-only file
  for workers on one machine (or a shared file system with working file locks);
* any SQLAlchemy URL (``sqlite:///...``, ``postgresql+psycopg://user:pass@host:5432/db``,
  ``mysql+pymysql://...``): optuna's ``RDBStorage`` with heartbeats, so a trial whose
  process was killed is marked FAIL by the next worker after the grace period
  (:mod:`mmext.hpo.liveness`; on the same machine at once).

PostgreSQL: ``pip install 'mmext[postgres]'`` installs psycopg 3. SQLAlchemy 2.1 maps a bare
``postgresql://`` to psycopg 3 and SQLAlchemy 2.0 to psycopg2; :func:`resolve_storage`
rewrites a bare ``postgresql://`` to the driver that is installed, so both
``psycopg[binary]`` and ``psycopg2-binary`` work. Messages never show the URL's password
(:func:`redact_url`).

For local files (SQLite, journal) a file lock next to the store serialises study creation
and the "is the trial budget used up?" check with the creation of the next trial, so
workers on one machine never run more than ``--n-trials`` in total.
"""
import fcntl
import importlib.util
import os
import os.path as osp
import re
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Optional

from mmext.utils.errors import UserInputError

HEARTBEAT_INTERVAL_S = 60
GRACE_PERIOD_S = 180


def redact_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (``user:***@host``)."""
    return re.sub(r'(://[^/@:]*:)[^@/]*@', r'\1***@', url)


# PostgreSQL drivers in order of preference: (SQLAlchemy dialect suffix, module to import)
_PG_DRIVERS = (('psycopg', 'psycopg'), ('psycopg2', 'psycopg2'))


def _postgres_url(url: str) -> str:
    """Give a bare ``postgresql://`` URL the installed driver (see the module doc)."""
    scheme, sep, rest = url.partition('://')
    if scheme not in ('postgresql', 'postgres'):
        return url
    for dialect, module in _PG_DRIVERS:
        if importlib.util.find_spec(module) is not None:
            return f'postgresql+{dialect}{sep}{rest}'
    raise UserInputError(
        f'--storage {redact_url(url)!r}: no PostgreSQL driver is installed; run '
        "pip install 'mmext[postgres]' (psycopg 3) or pip install psycopg2-binary")


@dataclass
class StorageSpec:
    """A resolved ``--storage``.

    Attributes:
        url: the canonical text (``sqlite:////abs/study.db``, ``journal:///abs/x.log``...).
        kind: ``'sqlite'``, ``'journal'`` or ``'rdb'``.
        local_path: the file on this machine for ``'sqlite'``/``'journal'`` (else None).
    """

    url: str
    kind: str
    local_path: Optional[str] = None

    @property
    def lock_path(self) -> Optional[str]:
        """The lock file used by :func:`study_lock` (None for remote databases)."""
        return self.local_path + '.mmext-lock' if self.local_path else None


def resolve_storage(storage: Optional[str], work_dir: str) -> StorageSpec:
    """Interpret ``--storage`` (see the module docstring).

    Raises:
        UserInputError: for an empty value or a journal/SQLite path whose folder is missing.
    """
    if storage is None:
        path = osp.abspath(osp.join(work_dir, 'study.db'))
        os.makedirs(osp.dirname(path), exist_ok=True)
        return StorageSpec(f'sqlite:///{path}', 'sqlite', path)
    storage = storage.strip()
    if not storage:
        raise UserInputError('--storage is empty; leave it out for the default SQLite file')
    if storage.startswith('journal://') or ('://' not in storage and storage.endswith('.log')):
        path = storage[len('journal://'):] if storage.startswith('journal://') else storage
        if not path:
            raise UserInputError(f'--storage {storage!r}: give a file after journal://, e.g. '
                                 'journal:///shared/studies/study.log')
        path = osp.abspath(path)
        _check_parent(storage, path)
        return StorageSpec(f'journal://{path}', 'journal', path)
    if '://' not in storage:
        raise UserInputError(
            f'--storage {redact_url(storage)!r} is neither a URL nor a .log journal file; '
            'examples: sqlite:///work_dirs/study.db, journal:///tmp/study.log, '
            'postgresql+psycopg://user:password@host:5432/optuna')
    if storage.startswith('sqlite:///'):
        path = storage[len('sqlite:///'):]
        if path and path != ':memory:':
            path = osp.abspath(path)
            _check_parent(storage, path)
            return StorageSpec(f'sqlite:///{path}', 'sqlite', path)
    return StorageSpec(_postgres_url(storage), 'rdb')


def _check_parent(storage: str, path: str) -> None:
    if not osp.isdir(osp.dirname(path)):
        raise UserInputError(f'--storage {storage!r}: folder {osp.dirname(path)!r} does not '
                             'exist')


def build_storage(spec: StorageSpec):
    """Create the optuna storage object for ``spec``.

    RDB storages get optuna's heartbeat; a trial failed for lack of heartbeat is recorded by
    :func:`mmext.hpo.liveness.heartbeat_stale_callback` so it does not use the budget.

    Raises:
        UserInputError: when the database cannot be opened (driver missing, wrong URL...).
    """
    import inspect

    import optuna
    from optuna.storages.journal import JournalFileBackend, JournalStorage

    if spec.kind == 'journal':
        return JournalStorage(JournalFileBackend(spec.local_path))
    engine_kwargs = {}
    if spec.kind == 'sqlite':
        # several local workers: wait for the write lock instead of failing at once
        engine_kwargs = dict(connect_args=dict(timeout=60))
    from .liveness import heartbeat_stale_callback

    params = inspect.signature(optuna.storages.RDBStorage).parameters
    callback_arg = ('heartbeat_stale_trial_callback' if 'heartbeat_stale_trial_callback' in
                    params else 'failed_trial_callback')  # optuna < 4.9
    url = redact_url(spec.url)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', optuna.exceptions.ExperimentalWarning)
            warnings.simplefilter('ignore', FutureWarning)
            return optuna.storages.RDBStorage(
                spec.url, engine_kwargs=engine_kwargs,
                heartbeat_interval=HEARTBEAT_INTERVAL_S, grace_period=GRACE_PERIOD_S,
                **{callback_arg: heartbeat_stale_callback})
    except (ImportError, ModuleNotFoundError) as err:
        raise UserInputError(f'--storage {url!r}: the database driver is not installed '
                             f"({err}); for PostgreSQL: pip install 'mmext[postgres]' and a "
                             'URL postgresql+psycopg://user:password@host:5432/db') from None
    except Exception as err:  # sqlalchemy.exc.ArgumentError / OperationalError
        text = str(err).replace(spec.url, url)
        password = re.search(r'://[^/@:]*:([^@/]*)@', spec.url)
        if password and password.group(1):
            text = text.replace(password.group(1), '***')
        raise UserInputError(f'--storage {url!r} could not be opened: '
                             f'{type(err).__name__}: {text}') from None


class FileLock:
    """A re-usable exclusive lock on ``spec``'s lock file (no-op for remote databases).

    Unlike :func:`study_lock` it can be released from a different place than where it was
    acquired: the search takes it before asking for a trial and drops it as soon as the
    trial exists.
    """

    def __init__(self, spec: StorageSpec) -> None:
        self.path = spec.lock_path
        self._file = None

    def acquire(self) -> None:
        """Block until the lock is held."""
        if self.path is None or self._file is not None:
            return
        self._file = open(self.path, 'a')
        fcntl.flock(self._file, fcntl.LOCK_EX)

    def release(self) -> None:
        """Release the lock (idempotent)."""
        if self._file is None:
            return
        fcntl.flock(self._file, fcntl.LOCK_UN)
        self._file.close()
        self._file = None


@contextmanager
def study_lock(spec: Optional[StorageSpec]) -> Iterator[None]:
    """Hold :class:`FileLock` of ``spec`` for the ``with`` block (no-op when None/remote)."""
    if spec is None:
        yield
        return
    lock = FileLock(spec)
    lock.acquire()
    try:
        yield
    finally:
        lock.release()
