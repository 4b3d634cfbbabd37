"""The search loop behind ``tools/optuna_search.py``.

Each process runs :func:`run_search`. Without a launcher it is one worker: it opens (or
resumes) the study and runs trials until the study holds ``n_trials`` trials (counting
earlier runs and other workers; interrupted trials do not count) or ``timeout`` seconds
have passed. Start the same command several times, on one or several machines, to run
workers in parallel on one study.

With ``--launcher pytorch`` (DDP) rank 0 is the worker: it asks the study for a trial and
broadcasts the sampled overrides, every rank trains the trial together, rank 0 tells the
result; the pruning decision is broadcast by :class:`OptunaPruningHook`.

A trial that raises is marked FAIL (error and traceback logged and kept in the trial's
user attrs and ``<trial work dir>/error.txt``) and the search goes on. Errors in the
user's inputs (a wrong ``--metric``, missing data) stop the search instead: every trial
would hit them. Ctrl-C marks the running trial FAIL with ``interrupted=True`` and stops;
re-running the same command resumes the study. A trial left RUNNING by a killed worker
(``kill -9``, lost machine) is marked FAIL by the next worker (:mod:`.liveness`) and, like
interrupted trials and trials stopped by input errors, does not use up ``--n-trials``.
"""
import logging
import os
import os.path as osp
import socket
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from mmengine.dist import broadcast_object_list, get_rank, init_dist, is_distributed

from mmext.apis import check_config_inputs, configure_train, load_config
from mmext.utils.errors import UserInputError

from .algorithms import build_pruner, build_sampler
from .liveness import ATTR_WORKER_INFO, fail_abandoned_trials, worker_info
from .report import write_outputs
from .space import SearchSpace, load_space
from .storage import FileLock, StorageSpec, resolve_storage
from .study import (ATTR_CONFIG_HASH, ATTR_CONFIG_PATH, ATTR_METRIC, ATTR_SPACE_HASH,
                    ATTR_SPACE_PATH, config_hash, counted_trials, default_study_name,
                    jsonable, open_study)
from .trial import check_has_validation, run_trial

logger = logging.getLogger('mmext.hpo')


class TrialCrashed(Exception):
    """A trial raised; it is marked FAIL and the search continues."""


@dataclass
class SearchSettings:
    """Everything a search needs (the command-line options of tools/optuna_search.py).

    Attributes:
        config: config file.
        space: search-space file.
        n_trials: stop when the study holds this many (counted) trials; None: no limit.
        timeout: stop starting trials after this many seconds; None: no limit.
        storage: ``--storage`` (None: SQLite file in the work dir).
        study_name: None: ``<config stem>__<space stem>``.
        metric: None: the space file's ``metric``.
        direction: None: the space file's ``direction``, else ``'maximize'``.
        sampler: ``--sampler`` spec.
        pruner: ``--pruner`` spec.
        seed: sampler seed.
        work_dir: None: ``work_dirs/<config stem>_optuna``.
        launcher: ``--launcher``.
        cfg_options: fixed overrides (after the space's own ``cfg_options``).
        write_outputs: write best_config.py, trials.csv, plots and print the table.
    """

    config: str
    space: str
    n_trials: Optional[int] = 20
    timeout: Optional[float] = None
    storage: Optional[str] = None
    study_name: Optional[str] = None
    metric: Optional[str] = None
    direction: Optional[str] = None
    sampler: str = 'tpe'
    pruner: str = 'median'
    seed: Optional[int] = None
    work_dir: Optional[str] = None
    launcher: str = 'none'
    cfg_options: Dict[str, Any] = field(default_factory=dict)
    write_outputs: bool = True


@dataclass
class PreparedSearch:
    """Settings resolved against the files (shared by every rank)."""

    settings: SearchSettings
    space: SearchSpace
    metric: str
    direction: str
    work_dir: str
    study_name: str
    fixed: Dict[str, Any]
    identity: Dict[str, str]


def prepare(settings: SearchSettings) -> PreparedSearch:
    """Load the space and the config, check them, and resolve the defaults.

    Raises:
        UserInputError: for a missing/invalid config, space, metric or direction.
    """
    space = load_space(settings.space)
    metric = settings.metric or space.metric
    if not metric:
        raise UserInputError(f'no metric to optimise: give --metric (a validation metric '
                             f"key such as 'coco/bbox_mAP') or set metric = '...' in "
                             f'{settings.space}')
    direction = settings.direction or space.direction or 'maximize'
    if direction not in ('maximize', 'minimize'):
        raise UserInputError(f"--direction must be 'maximize' or 'minimize', got "
                             f'{direction!r}')
    if settings.n_trials is not None and settings.n_trials < 1:
        raise UserInputError(f'--n-trials must be >= 1, got {settings.n_trials}')
    if settings.timeout is not None and settings.timeout <= 0:
        raise UserInputError(f'--timeout must be > 0 seconds, got {settings.timeout}')
    fixed = dict(space.cfg_options)
    fixed.update(settings.cfg_options or {})
    cfg = load_config(settings.config, fixed or None)
    check_has_validation(cfg, settings.config)
    check_config_inputs(cfg, splits=('train', 'val'))  # missing data: fail before trial 0
    space.check_against_config(cfg, settings.config)
    stem = osp.splitext(osp.basename(settings.config))[0]
    work_dir = settings.work_dir or osp.join('work_dirs', f'{stem}_optuna')
    identity = {
        ATTR_CONFIG_HASH: config_hash(cfg),
        ATTR_SPACE_HASH: space.digest(),
        ATTR_METRIC: metric,
        ATTR_CONFIG_PATH: settings.config,
        ATTR_SPACE_PATH: settings.space,
    }
    return PreparedSearch(settings=settings, space=space, metric=metric, direction=direction,
                          work_dir=work_dir,
                          study_name=settings.study_name or default_study_name(
                              settings.config, settings.space),
                          fixed=fixed, identity=identity)


def create_study(prep: PreparedSearch):
    """Open (create or resume) the study of a prepared search (rank 0 only)."""
    os.makedirs(prep.work_dir, exist_ok=True)
    spec = resolve_storage(prep.settings.storage, prep.work_dir)
    sampler = build_sampler(prep.settings.sampler, prep.settings.seed)
    pruner = build_pruner(prep.settings.pruner)
    study = open_study(spec, prep.study_name, prep.direction, prep.identity,
                       sampler=sampler, pruner=pruner)
    return study, spec


def _init_distributed(prep: PreparedSearch) -> None:
    """Start the process group before the first broadcast (the Runner reuses it)."""
    if prep.settings.launcher == 'none' or is_distributed():
        return
    cfg = load_config(prep.settings.config, prep.fixed or None)
    configure_train(cfg, prep.settings.config, work_dir=prep.work_dir,
                    launcher=prep.settings.launcher)
    dist_cfg = dict(cfg.get('env_cfg', {}).get('dist_cfg', {}))
    init_dist(prep.settings.launcher, **dist_cfg)


def run_search(settings: SearchSettings) -> Optional[Any]:
    """Run (or resume) a search; return the study on rank 0 and None on other ranks.

    Raises:
        UserInputError: for bad inputs (before or during the first trial).
        KeyboardInterrupt: after Ctrl-C (the running trial is marked interrupted).
    """
    prep = prepare(settings)
    _init_distributed(prep)
    if get_rank() != 0:
        _follow(prep)
        return None
    study = None
    try:
        study, spec = create_study(prep)
        _lead(prep, study, spec)
    finally:
        if is_distributed():
            broadcast_object_list([None], src=0)  # tell the other ranks to stop
        if settings.write_outputs and study is not None and \
                study.get_trials(deepcopy=False):
            try:
                write_outputs(study, prep)
            except Exception as err:  # never hide the search's own outcome
                logger.warning('could not write the search outputs: %s', err)
    return study


def _budget_left(prep: PreparedSearch, study) -> bool:
    n = prep.settings.n_trials
    return n is None or counted_trials(study) < n


def _lead(prep: PreparedSearch, study, spec: StorageSpec) -> None:
    """Rank 0: ask for trials until the budget or the time is used up."""
    lock = FileLock(spec)
    start = time.monotonic()
    while True:
        if prep.settings.timeout is not None and \
                time.monotonic() - start >= prep.settings.timeout:
            print('--timeout reached: no new trial is started', flush=True)
            break
        lock.acquire()
        # trials left RUNNING by killed workers must not eat the budget (liveness.py)
        fail_abandoned_trials(study)
        if not _budget_left(prep, study):
            lock.release()
            break
        try:
            # the lock is released by the objective as soon as the trial exists
            study.optimize(_objective(prep, lock), n_trials=1, catch=(TrialCrashed, ),
                           gc_after_trial=True)
        finally:
            lock.release()


def _objective(prep: PreparedSearch, lock: FileLock):

    def objective(trial) -> float:
        trial.set_user_attr(ATTR_WORKER_INFO, worker_info())  # before anyone checks it
        trial.set_user_attr('worker', f'{socket.gethostname()}:{os.getpid()}')
        lock.release()
        overrides = prep.space.sample(trial)
        trial.set_user_attr('cfg_options', jsonable(overrides))
        trial.set_user_attr('work_dir', osp.join(prep.work_dir, f'trial_{trial.number}'))
        if is_distributed():
            broadcast_object_list([(trial.number, overrides)], src=0)
        return _train(prep, trial.number, overrides, trial)

    return objective


def _follow(prep: PreparedSearch) -> None:
    """Other DDP ranks: train each trial rank 0 broadcasts until it says stop."""
    while True:
        message: List[Any] = [None]
        broadcast_object_list(message, src=0)
        if message[0] is None:
            return
        number, overrides = message[0]
        try:
            _train(prep, number, overrides, None)
        except UserInputError:
            raise
        except Exception:  # pruned or crashed: rank 0 records it in the study
            continue


def _train(prep: PreparedSearch, number: int, overrides: Dict[str, Any], trial) -> float:
    """Train one trial; translate its outcome into what optuna expects."""
    import optuna

    s = prep.settings
    merged = dict(prep.fixed)
    merged.update(overrides)
    try:
        result = run_trial(s.config, merged, prep.work_dir, number, prep.metric,
                           prep.direction, trial=trial, launcher=s.launcher,
                           study_name=prep.study_name)
    except UserInputError as err:
        if trial is not None:
            trial.set_user_attr('error', f'{type(err).__name__}: {err}')
            trial.set_user_attr('input_error', True)  # not counted: nothing was learnt
        raise
    except KeyboardInterrupt:
        if trial is not None:
            trial.set_user_attr('interrupted', True)
        raise
    except Exception as err:
        text = traceback.format_exc()
        if trial is not None:
            trial.set_user_attr('error', f'{type(err).__name__}: {err}')
            _write_error(prep.work_dir, number, text)
        raise TrialCrashed(f'trial {number} crashed: {type(err).__name__}: {err}') from err
    if trial is not None:
        trial.set_user_attr('history', [[st, v] for st, v in result.hook.history])
    if result.pruned:
        raise optuna.TrialPruned(f'pruned at step {result.hook.pruned_at}')
    return result.value


def _write_error(work_dir: str, number: int, text: str) -> None:
    path = osp.join(work_dir, f'trial_{number}', 'error.txt')
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
