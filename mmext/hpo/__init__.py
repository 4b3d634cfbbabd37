"""Optuna hyper-parameter search over any mmext config (``tools/optuna_search.py``).

Importing this package registers :class:`OptunaPruningHook` in mmext's ``HOOKS``. optuna
itself is imported lazily (only when a search or the hook runs).

Modules: :mod:`.space` (search-space files), :mod:`.storage` (``--storage``),
:mod:`.algorithms` (``--sampler``/``--pruner``), :mod:`.study` (create/resume, config-hash
check), :mod:`.hook` (pruning), :mod:`.trial` (one trial through the train runner path),
:mod:`.search` (the worker loop), :mod:`.report` (best config, CSV, plots, table).
"""
from .hook import MetricNotFoundError, OptunaPruningHook
from .search import SearchSettings, run_search
from .space import ParamSpec, SearchSpace, load_space
from .storage import StorageSpec, resolve_storage

__all__ = ['OptunaPruningHook', 'MetricNotFoundError', 'SearchSettings', 'run_search',
           'SearchSpace', 'ParamSpec', 'load_space', 'StorageSpec', 'resolve_storage']
