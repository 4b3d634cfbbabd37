"""``--sampler`` and ``--pruner`` specifications: ``NAME`` or ``NAME:key=value,key=value``.

Examples: ``--sampler tpe``, ``--sampler random:seed=0``, ``--pruner median``,
``--pruner median:n_startup_trials=2,n_warmup_steps=1``, ``--pruner hyperband:min_resource=1``,
``--pruner none``. Values are Python literals; the keys are the keyword arguments of the
optuna class named in :data:`SAMPLERS` / :data:`PRUNERS`.

Seeds: a seeded sampler (``--seed`` or ``seed=`` in the spec) is re-created for every trial
with the seed ``trial_seed(seed, trial.number)`` (:class:`PerTrialSeedSampler`). Trial
numbers are unique in a study, so a resumed study or a second worker started with the same
``--seed`` never replays the parameters of earlier trials, while one uninterrupted worker
still gives the same sequence on every run. ``qmc`` keeps one seed: its scrambled sequence
is indexed by the study's own trial counter, which already never repeats.
"""
import ast
from typing import Any, Callable, Dict, Optional, Tuple

from mmext.utils.errors import UserInputError

SAMPLERS = {
    'tpe': 'TPESampler',
    'random': 'RandomSampler',
    'qmc': 'QMCSampler',
    'gp': 'GPSampler',
    'cmaes': 'CmaEsSampler',
}
PRUNERS = {
    'median': 'MedianPruner',
    'percentile': 'PercentilePruner',
    'hyperband': 'HyperbandPruner',
    'sha': 'SuccessiveHalvingPruner',
    'patient': 'PatientPruner',
    'threshold': 'ThresholdPruner',
    'none': 'NopPruner',
}


def parse_spec(text: str, option: str, names: Dict[str, str]) -> Tuple[str, Dict[str, Any]]:
    """Split ``NAME:k=v,...`` into the name and keyword arguments.

    Raises:
        UserInputError: for an unknown name or a malformed ``k=v`` item, naming the option.
    """
    name, _, rest = text.partition(':')
    name = name.strip().lower()
    if name not in names:
        raise UserInputError(f'{option} {text!r}: unknown name {name!r}; choose one of '
                             f'{sorted(names)} (optionally followed by :key=value,...)')
    kwargs: Dict[str, Any] = {}
    for item in filter(None, (s.strip() for s in rest.split(','))):
        key, eq, value = item.partition('=')
        if not eq or not key.strip().isidentifier():
            raise UserInputError(f'{option} {text!r}: expected key=value, got {item!r}')
        try:
            kwargs[key.strip()] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            kwargs[key.strip()] = value.strip()  # a bare word, e.g. a string option
    return name, kwargs


def _instantiate(module, cls_name: str, kwargs: dict, option: str, text: str):
    cls = getattr(module, cls_name)
    try:
        return cls(**kwargs)
    except ImportError as err:
        raise UserInputError(f'{option} {text!r}: {cls_name} needs a package that is not '
                             f'installed ({err})') from None
    except (TypeError, ValueError) as err:
        raise UserInputError(f'{option} {text!r}: {cls_name} rejected the arguments '
                             f'{kwargs}: {err}') from None


def trial_seed(seed: int, number: int) -> int:
    """The sampler seed of trial ``number`` of a search seeded with ``seed``."""
    import numpy as np

    return int(np.random.SeedSequence([int(seed) % 2**32, int(number)])
               .generate_state(1, dtype=np.uint32)[0])


def _per_trial_sampler_class():
    from optuna.samplers import BaseSampler

    class PerTrialSeedSampler(BaseSampler):
        """Delegate to a sampler re-created per trial with :func:`trial_seed` (module doc).

        Args:
            factory: ``seed -> sampler``.
            seed: the search's seed.
        """

        def __init__(self, factory: Callable[[int], Any], seed: int) -> None:
            self._factory = factory
            self._seed = seed
            self._inner = factory(seed)

        @property
        def inner(self):
            """The sampler of the current trial."""
            return self._inner

        def __repr__(self) -> str:
            return f'PerTrialSeedSampler({type(self._inner).__name__}, seed={self._seed})'

        def before_trial(self, study, trial) -> None:
            self._inner = self._factory(trial_seed(self._seed, trial.number))
            self._inner.before_trial(study, trial)

        def infer_relative_search_space(self, study, trial):
            return self._inner.infer_relative_search_space(study, trial)

        def sample_relative(self, study, trial, search_space):
            return self._inner.sample_relative(study, trial, search_space)

        def sample_independent(self, study, trial, param_name, param_distribution):
            return self._inner.sample_independent(study, trial, param_name,
                                                  param_distribution)

        def after_trial(self, study, trial, state, values) -> None:
            self._inner.after_trial(study, trial, state, values)

        def reseed_rng(self) -> None:
            self._inner.reseed_rng()

    return PerTrialSeedSampler


def build_sampler(text: str, seed: Optional[int] = None):
    """Build an optuna sampler from ``--sampler`` (``--seed`` fills in ``seed``).

    A seeded sampler other than ``qmc`` is wrapped in ``PerTrialSeedSampler`` (module doc).
    """
    import optuna

    name, kwargs = parse_spec(text, '--sampler', SAMPLERS)
    if seed is not None:
        kwargs.setdefault('seed', seed)
    sampler = _instantiate(optuna.samplers, SAMPLERS[name], kwargs, '--sampler', text)
    if kwargs.get('seed') is None or name == 'qmc':
        return sampler

    def factory(s: int):
        return getattr(optuna.samplers, SAMPLERS[name])(**dict(kwargs, seed=s))

    return _per_trial_sampler_class()(factory, kwargs['seed'])


def build_pruner(text: str):
    """Build an optuna pruner from ``--pruner``.

    ``patient`` wraps a median pruner unless ``wrapped_pruner`` is given; ``percentile``
    defaults to the 25th percentile.
    """
    import optuna

    name, kwargs = parse_spec(text, '--pruner', PRUNERS)
    if name == 'patient':
        kwargs.setdefault('wrapped_pruner', optuna.pruners.MedianPruner())
        kwargs.setdefault('patience', 1)
    if name == 'percentile':
        kwargs.setdefault('percentile', 25.0)
    return _instantiate(optuna.pruners, PRUNERS[name], kwargs, '--pruner', text)
