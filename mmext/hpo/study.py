"""Create or resume a study and refuse to mix in trials of a different search.

The study's user attrs record what defines the search: the hash of the merged config
(the file, its bases and the fixed ``--cfg-options``), the hash of the search space, the
metric and the direction. Re-running the same command resumes the study; re-running it
after any of these changed is refused with a message saying what changed.
"""
import hashlib
import json
from typing import Any, Dict, Optional

from mmengine.config import Config

from mmext.utils.errors import UserInputError

from .storage import StorageSpec, build_storage, study_lock

# user attrs written on the study (names are part of the on-disk format)
ATTR_CONFIG_HASH = 'mmext_config_hash'
ATTR_SPACE_HASH = 'mmext_space_hash'
ATTR_METRIC = 'mmext_metric'
ATTR_CONFIG_PATH = 'mmext_config'
ATTR_SPACE_PATH = 'mmext_space'


def config_hash(cfg: Config) -> str:
    """Hash the content of a merged config (independent of its file name and location).

    Args:
        cfg: the config after ``--cfg-options`` (and before any per-trial change).
    """
    text = json.dumps(jsonable(cfg.to_dict()), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def jsonable(value: Any) -> Any:
    """``value`` with dict keys as strings, tuples as lists and other objects as repr."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (type(None), bool, int, float, str)):
        return value
    if callable(value) and hasattr(value, '__qualname__'):  # classes, functions: no address
        return f'{getattr(value, "__module__", "")}.{value.__qualname__}'
    return repr(value)


def open_study(storage: StorageSpec,
               study_name: str,
               direction: str,
               identity: Dict[str, str],
               sampler=None,
               pruner=None):
    """Create the study, or load it when it exists and was made for the same search.

    Args:
        storage: the resolved ``--storage``.
        study_name: ``--study-name``.
        direction: ``'maximize'`` or ``'minimize'``.
        identity: the values recorded in the study's user attrs; must contain
            :data:`ATTR_CONFIG_HASH`, :data:`ATTR_SPACE_HASH` and :data:`ATTR_METRIC`, may
            contain :data:`ATTR_CONFIG_PATH` / :data:`ATTR_SPACE_PATH` (informational).
        sampler: optuna sampler (None: TPE).
        pruner: optuna pruner (None: median).

    Returns:
        The ``optuna.Study``.

    Raises:
        UserInputError: when the existing study belongs to a different config, space,
            metric or direction.
    """
    import optuna

    with study_lock(storage):
        backend = build_storage(storage)
        study = optuna.create_study(storage=backend, study_name=study_name,
                                    direction=direction, sampler=sampler, pruner=pruner,
                                    load_if_exists=True)
        attrs = study.user_attrs
        if ATTR_CONFIG_HASH not in attrs:
            for key, value in identity.items():
                study.set_user_attr(key, value)
            return study
    check_identity(study, storage.url, study_name, direction, identity)
    return study


def check_identity(study, url: str, study_name: str, direction: str,
                   identity: Dict[str, str]) -> None:
    """Raise :class:`UserInputError` when ``study`` was made for another search."""
    attrs = study.user_attrs
    where = f'study {study_name!r} in {url}'
    hint = ('Re-run with the original config/space, or start a separate study with a new '
            '--study-name (or another --work-dir).')
    if attrs.get(ATTR_CONFIG_HASH) != identity[ATTR_CONFIG_HASH]:
        raise UserInputError(
            f'{where} was created for a different config (config hash '
            f'{attrs.get(ATTR_CONFIG_HASH)} from {attrs.get(ATTR_CONFIG_PATH, "?")}, now '
            f'{identity[ATTR_CONFIG_HASH]} from {identity.get(ATTR_CONFIG_PATH, "?")}): the '
            f'config, one of its _base_ files or --cfg-options changed, and its trials would '
            f'not be comparable. {hint}')
    if attrs.get(ATTR_SPACE_HASH) != identity[ATTR_SPACE_HASH]:
        raise UserInputError(
            f'{where} was created for a different search space ({attrs.get(ATTR_SPACE_PATH)}'
            f' hash {attrs.get(ATTR_SPACE_HASH)}, now {identity.get(ATTR_SPACE_PATH)} hash '
            f'{identity[ATTR_SPACE_HASH]}). {hint}')
    if attrs.get(ATTR_METRIC) != identity[ATTR_METRIC]:
        raise UserInputError(
            f'{where} optimises metric {attrs.get(ATTR_METRIC)!r}, not '
            f'{identity[ATTR_METRIC]!r} (--metric). {hint}')
    existing = study.direction.name.lower()
    if existing != direction:
        raise UserInputError(f'{where} was created with --direction {existing}, not '
                             f'{direction}. {hint}')


def counted_trials(study) -> int:
    """Trials that use up ``--n-trials``: all but WAITING ones and interrupted ones.

    A trial stopped by Ctrl-C is FAIL with the user attr ``interrupted`` and is not
    counted, so re-running an interrupted search runs the remaining trials.
    """
    from optuna.trial import TrialState

    n = 0
    for t in study.get_trials(deepcopy=False):
        if t.state == TrialState.WAITING:
            continue
        if t.state == TrialState.FAIL and t.user_attrs.get('interrupted'):
            continue
        n += 1
    return n


def default_study_name(config_path: str, space_path: Optional[str] = None) -> str:
    """``<config stem>`` (plus ``__<space stem>``) as the default ``--study-name``."""
    import os.path as osp

    name = osp.splitext(osp.basename(config_path))[0]
    if space_path:
        name += '__' + osp.splitext(osp.basename(space_path))[0]
    return name
