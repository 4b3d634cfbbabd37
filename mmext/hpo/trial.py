"""Train one trial through the same runner path as ``tools/train.py``.

``load_config`` (with the fixed and the sampled overrides as ``--cfg-options``) ->
``configure_train`` (work dir ``<work-dir>/trial_<n>``, launcher) -> ``prepare_experiment``
(pseudo-labels, cached in ``<work-dir>/pseudo_labels``) -> ``check_config_inputs``
-> ``build_runner`` -> ``runner.train()``, with :class:`OptunaPruningHook` registered.
"""
import gc
import logging
import os.path as osp
import uuid
from dataclasses import dataclass
from typing import Any, Dict, Optional

from mmengine.config import Config

from mmext.apis import (build_runner, check_config_inputs, configure_train, load_config,
                        prepare_experiment)
from mmext.utils.errors import UserInputError

from .hook import OptunaPruningHook


@dataclass
class TrialResult:
    """What one trial produced.

    Attributes:
        value: best value of the metric over its validations (None when none ran).
        pruned: whether the pruner stopped it.
        hook: the pruning hook (its ``history`` holds every reported value).
        work_dir: the trial's work dir.
    """

    value: Optional[float]
    pruned: bool
    hook: OptunaPruningHook
    work_dir: str


def trial_work_dir(work_dir: str, number: int) -> str:
    """``<work-dir>/trial_<n>``."""
    return osp.join(work_dir, f'trial_{number}')


def trial_config(config_path: str, overrides: Dict[str, Any]) -> Config:
    """Load ``config_path`` with ``overrides`` merged as ``--cfg-options``."""
    return load_config(config_path, dict(overrides) if overrides else None)


def check_has_validation(cfg: Config, config_path: str) -> None:
    """Raise :class:`UserInputError` when the config has no validation to report from."""
    missing = [k for k in ('val_dataloader', 'val_cfg', 'val_evaluator') if not cfg.get(k)]
    if missing:
        raise UserInputError(f'config {config_path} cannot be searched: it has no {missing}; '
                             'a trial is scored by its validation metric')


def run_trial(config_path: str,
              overrides: Dict[str, Any],
              work_dir: str,
              number: int,
              metric: str,
              direction: str,
              trial: Any = None,
              launcher: str = 'none',
              study_name: str = 'study') -> TrialResult:
    """Train one trial and return its result.

    Args:
        config_path: the config file.
        overrides: fixed ``--cfg-options`` and sampled values (dotted keys).
        work_dir: the search's work dir (the trial uses ``trial_<number>`` inside it).
        number: the trial number.
        metric: validation metric key.
        direction: ``'maximize'`` or ``'minimize'`` (which value is "best").
        trial: the ``optuna.trial.Trial`` on rank 0 (None on other DDP ranks).
        launcher: ``--launcher``.
        study_name: used to name the run's logger/visualiser instances uniquely.
    """
    cfg = trial_config(config_path, overrides)
    out_dir = trial_work_dir(work_dir, number)
    configure_train(cfg, config_path, work_dir=out_dir, launcher=launcher)
    # pre-training steps (pseudo-labels) are cached by their settings, shared by all trials
    cfg.pseudo_label_cache = osp.join(work_dir, 'pseudo_labels')
    prepare_experiment(cfg)
    check_config_inputs(cfg, splits=('train', 'val'))
    # mmengine keys its global logger/message hub/visualiser by experiment name plus a
    # timestamp in seconds: make each trial's name unique so no state leaks between trials.
    cfg.experiment_name = f'{study_name}_trial{number}_{uuid.uuid4().hex[:8]}'
    runner = build_runner(cfg)
    hook = OptunaPruningHook(metric, trial=trial)
    runner.register_hook(hook)
    try:
        runner.train()
    finally:
        _release(runner)
        del runner
        gc.collect()
    value = hook.best(direction)
    if value is None and not hook.pruned:
        raise UserInputError(f'trial {number} finished without a validation: check val_cfg/'
                             f'train_cfg.val_interval of {config_path} (validation must run '
                             'at least once, e.g. at the last epoch)')
    return TrialResult(value=value, pruned=hook.pruned, hook=hook, work_dir=out_dir)


def _release(runner) -> None:
    """Close the trial's log files (mmengine keeps logger instances alive globally)."""
    logger = getattr(runner, 'logger', None)
    if logger is None:
        return
    for handler in list(logger.handlers):
        if isinstance(handler, logging.FileHandler):
            handler.close()
            logger.removeHandler(handler)
    try:
        import torch
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except Exception:  # pragma: no cover - best effort
        pass
