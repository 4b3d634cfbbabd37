"""Create or resume a study and refuse to mix in trials of a different search.

The study's user attrs record what defines the search: the hash of the merged config
(the file, its bases and the fixed ``--cfg-options``), the hash of the search space, the
metric and the direction. Re-running the same command resumes the study; re-running it
after any of these changed is refused with a message saying what changed -- unless no
trial of the study has completed (COMPLETE or PRUNED) and none is running, e.g. after a
first run with a ``--metric`` the config never logs: then there is nothing to mix and the
study takes the new config/space/metric (saying so). The direction cannot change (optuna
fixes it at creation).
"""
import hashlib
import json
from typing import Any, Dict, Optional

from mmengine.config import Config

from mmext.utils.errors import UserInputError

from .liveness import abandoned_numbers
from .storage import StorageSpec, build_storage, redact_url, study_lock

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
        if _nothing_to_mix(study) and study.direction.name.lower() == direction and any(
                attrs.get(k) != v for k, v in identity.items()):
            changed = sorted(k for k, v in identity.items() if attrs.get(k) != v)
            print(f'study {study_name!r} has no completed or running trial: its settings '
                  f'{changed} are replaced by this run\'s (before: '
                  f'{ {k: attrs.get(k) for k in changed} })', flush=True)
            for key, value in identity.items():
                study.set_user_attr(key, value)
            return study
    check_identity(study, redact_url(storage.url), study_name, direction, identity)
    return study


def _nothing_to_mix(study) -> bool:
    """No trial completed, was pruned or is running: any earlier trial only failed."""
    from optuna.trial import TrialState

    states = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
    return not study.get_trials(deepcopy=False, states=states)


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
    """Trials that use up ``--n-trials``: all but WAITING ones and FAIL ones that say
    nothing about the search.

    Not counted: a trial stopped by Ctrl-C (FAIL, user attr ``interrupted``), one whose
    worker died (FAIL, listed by :func:`~mmext.hpo.liveness.abandoned_numbers`) and one
    stopped by an error in the user's inputs (FAIL, user attr ``input_error``, e.g. a
    wrong ``--metric``). Re-running the same command then runs the remaining trials. A
    trial that crashed (FAIL with ``error``) counts: re-running would crash again.
    """
    from optuna.trial import TrialState

    abandoned = abandoned_numbers(study)
    n = 0
    for t in study.get_trials(deepcopy=False):
        if t.state == TrialState.WAITING:
            continue
        if t.state == TrialState.FAIL and (t.user_attrs.get('interrupted')
                                           or t.user_attrs.get('input_error')
                                           or t.number in abandoned):
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
