"""``--sampler`` and ``--pruner`` specifications: ``NAME`` or ``NAME:key=value,key=value``.

Examples: ``--sampler tpe``, ``--sampler random:seed=0``, ``--pruner median``,
``--pruner median:n_startup_trials=2,n_warmup_steps=1``, ``--pruner hyperband:min_resource=1``,
``--pruner none``. Values are Python literals; the keys are the keyword arguments of the
optuna class named in :data:`SAMPLERS` / :data:`PRUNERS`.
"""
import ast
from typing import Any, Dict, Optional, Tuple

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


def build_sampler(text: str, seed: Optional[int] = None):
    """Build an optuna sampler from ``--sampler`` (``--seed`` fills in ``seed``)."""
    import optuna

    name, kwargs = parse_spec(text, '--sampler', SAMPLERS)
    if seed is not None:
        kwargs.setdefault('seed', seed)
    return _instantiate(optuna.samplers, SAMPLERS[name], kwargs, '--sampler', text)


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
