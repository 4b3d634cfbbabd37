"""``OptunaPruningHook``: report a validation metric to an optuna trial and prune.

After every validation the hook reports ``metrics[metric]`` with the epoch (epoch-based
loops) or iteration (iteration-based loops) as step, asks the pruner, and when the trial
should be pruned sets ``runner.train_loop.stop_training`` so training ends after this
validation. Under DDP only rank 0 talks to optuna; its decision is broadcast to every rank
so all of them stop at the same point (the pattern of optuna-integration's Lightning
callback). After ``runner.train()`` the caller raises ``optuna.TrialPruned`` (see
:meth:`OptunaPruningHook.raise_if_pruned`), which marks the trial PRUNED.

The hook needs a live ``optuna.trial.Trial``: a ``FrozenTrial``'s ``report`` and
``should_prune`` do nothing. The search passes the trial object; a config can instead
name the study (``storage``, ``study_name``, ``trial_number``) and the hook opens the
trial on rank 0.
"""
import math
from typing import Any, Dict, List, Optional, Tuple

from mmengine.dist import broadcast_object_list, get_rank
from mmengine.hooks import Hook
from mmengine.runner import IterBasedTrainLoop

from mmext.registry import HOOKS
from mmext.utils.errors import UserInputError


class MetricNotFoundError(UserInputError):
    """The metric to optimise is not among the validation metrics."""


@HOOKS.register_module()
class OptunaPruningHook(Hook):
    """Report a validation metric to optuna after each validation and stop when pruned.

    Args:
        metric: key of the validation metric (e.g. ``'coco/bbox_mAP'``).
        trial: the ``optuna.trial.Trial`` (rank 0; ignored on other ranks). When None the
            trial is opened from ``storage``/``study_name``/``trial_number``.
        storage: optuna storage URL (or object) of the study, when ``trial`` is None.
        study_name: name of the study, when ``trial`` is None.
        trial_number: number of the trial in that study, when ``trial`` is None.

    Attributes:
        history: ``[(step, value), ...]`` of every validation (on every rank).
        pruned: whether the pruner stopped training (on every rank).
        pruned_at: the step at which it did.
    """

    priority = 'LOW'  # after the loggers/checkpoint hooks have seen the metrics

    def __init__(self,
                 metric: str,
                 trial: Any = None,
                 storage: Any = None,
                 study_name: Optional[str] = None,
                 trial_number: Optional[int] = None) -> None:
        from optuna.trial import FrozenTrial

        if isinstance(trial, FrozenTrial):
            raise TypeError('OptunaPruningHook needs an optuna.trial.Trial; a FrozenTrial '
                            'cannot report values or be pruned')
        self.metric = metric
        self.trial = trial
        self.storage = storage
        self.study_name = study_name
        self.trial_number = trial_number
        self.history: List[Tuple[int, float]] = []
        self.pruned = False
        self.pruned_at: Optional[int] = None

    def _get_trial(self):
        if self.trial is None:
            if self.storage is None or self.study_name is None or self.trial_number is None:
                raise ValueError('OptunaPruningHook: give either trial or storage, '
                                 'study_name and trial_number')
            import optuna
            study = optuna.load_study(study_name=self.study_name, storage=self.storage)
            trial_id = study._storage.get_trial_id_from_study_id_trial_number(
                study._study_id, self.trial_number)
            self.trial = optuna.trial.Trial(study, trial_id)
        return self.trial

    @staticmethod
    def _step(runner) -> int:
        loop = getattr(runner, '_train_loop', None)
        if isinstance(loop, IterBasedTrainLoop):
            return int(runner.iter)
        return int(runner.epoch)

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        """Report ``metrics[self.metric]`` and stop training when the trial is pruned."""
        loop = getattr(runner, '_train_loop', None)
        if loop is None or isinstance(loop, dict):  # validation outside training
            return
        metrics = metrics or {}
        if self.metric not in metrics:
            raise MetricNotFoundError(
                f'--metric {self.metric!r} is not a validation metric of this config; '
                f'the validation produced {sorted(metrics)}')
        value = float(metrics[self.metric])
        step = self._step(runner)
        self.history.append((step, value))
        decision = [False]
        if get_rank() == 0:
            trial = self._get_trial()
            if math.isfinite(value):
                trial.report(value, step)
                decision = [bool(trial.should_prune())]
            else:  # a diverged run: nothing to compare, stop it
                decision = [True]
        broadcast_object_list(decision, src=0)
        if decision[0]:
            self.pruned = True
            self.pruned_at = step
            runner.train_loop.stop_training = True
            runner.logger.info(f'OptunaPruningHook: trial pruned at step {step} '
                               f'({self.metric}={value:.6g}); stopping training')

    def best(self, direction: str) -> Optional[float]:
        """Best reported value (``'maximize'`` or ``'minimize'``); None before validation.

        A validation at step 0 (before any training, e.g. ``EvaluateBeforeTrainHook``)
        is reported to the pruner but does not score the trial when a later one exists.
        """
        trained = [(s, v) for s, v in self.history if s > 0]
        values = [v for _, v in (trained or self.history) if math.isfinite(v)]
        if not values:
            return None
        return max(values) if direction == 'maximize' else min(values)

    def raise_if_pruned(self) -> None:
        """Raise ``optuna.TrialPruned`` when the pruner stopped this trial."""
        if self.pruned:
            import optuna
            raise optuna.TrialPruned(f'pruned at step {self.pruned_at}')
