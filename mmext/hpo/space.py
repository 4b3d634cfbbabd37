"""Search-space files: a Python file mapping dotted config keys to distributions.

A search-space file defines ``space``, a dict whose keys are config keys written as for
``--cfg-options`` (``'optim_wrapper.optimizer.lr'``, ``'param_scheduler.0.end'``) and whose
values describe a distribution::

    space = {
        'optim_wrapper.optimizer.lr': dict(type='float', low=1e-4, high=1e-1, log=True),
        'optim_wrapper.optimizer.weight_decay': dict(type='float', low=0.0, high=0.1),
        'model.num_slots': dict(type='int', low=4, high=11, step=1),
        'model.loss.type': dict(type='categorical', choices=['L1Loss', 'SmoothL1Loss']),
        # conditional: only sampled (and only set) when model.loss.type is SmoothL1Loss
        'model.loss.beta': dict(type='float', low=0.05, high=1.0,
                                condition={'model.loss.type': 'SmoothL1Loss'}),
    }

Types: ``float`` (``low``, ``high``, optional ``log``/``step``), ``log-float`` (a float with
``log=True``), ``int`` (``low``, ``high``, optional ``step``/``log``) and ``categorical``
(``choices``; any Python literal, e.g. tuples or dicts, is allowed). ``condition`` maps
keys defined *earlier* in the space to the value (or list of values) they must have.

Optional module-level names: ``metric`` (default val metric key), ``direction``
(``'maximize'``/``'minimize'``) and ``cfg_options`` (a dict of fixed overrides applied to
every trial, e.g. a shorter schedule for the search).
"""
import copy
import hashlib
import json
import os.path as osp
import runpy
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from mmengine.config import Config

from mmext.utils.errors import UserInputError, missing_path_message

PRIMITIVES = (type(None), bool, int, float, str)
_TYPES = ('float', 'log-float', 'int', 'categorical')
_ALLOWED = {
    'float': {'low', 'high', 'log', 'step'},
    'log-float': {'low', 'high'},
    'int': {'low', 'high', 'log', 'step'},
    'categorical': {'choices'},
}


@dataclass
class ParamSpec:
    """One entry of a search space.

    Attributes:
        key: dotted config key (also the optuna parameter name).
        type: ``'float'``, ``'int'`` or ``'categorical'`` (``'log-float'`` is normalised
            to ``'float'`` with ``log=True``).
        low: lower bound (float/int).
        high: upper bound (float/int).
        log: sample in log space.
        step: discretisation step (``None`` for continuous floats).
        choices: categorical choices (config values).
        condition: ``{earlier_key: [allowed values]}``; empty for unconditional entries.
    """

    key: str
    type: str
    low: Optional[float] = None
    high: Optional[float] = None
    log: bool = False
    step: Optional[float] = None
    choices: List[Any] = field(default_factory=list)
    condition: Dict[str, List[Any]] = field(default_factory=dict)

    @property
    def encoded_choices(self) -> List[Any]:
        """Choices as optuna stores them: primitives as is, other values as ``repr``."""
        if all(isinstance(c, PRIMITIVES) for c in self.choices):
            return list(self.choices)
        return [repr(c) for c in self.choices]

    def decode(self, value: Any) -> Any:
        """Map a sampled optuna value back to the config value (a fresh copy).

        A copy, so that merging it into a config cannot alter the space's choices.
        """
        if self.type != 'categorical':
            return value
        return copy.deepcopy(self.choices[self.encoded_choices.index(value)])

    def as_dict(self) -> dict:
        """A JSON-able description (used for the space hash)."""
        return dict(key=self.key, type=self.type, low=self.low, high=self.high, log=self.log,
                    step=self.step, choices=[repr(c) for c in self.choices],
                    condition={k: [repr(v) for v in vs] for k, vs in self.condition.items()})


@dataclass
class SearchSpace:
    """A loaded search space with the file's optional defaults.

    Attributes:
        path: the file it came from.
        params: entries in file order (conditions refer to earlier entries).
        metric: default ``--metric`` (or None).
        direction: default ``--direction`` (or None).
        cfg_options: fixed overrides applied to every trial.
    """

    path: str
    params: List[ParamSpec]
    metric: Optional[str] = None
    direction: Optional[str] = None
    cfg_options: Dict[str, Any] = field(default_factory=dict)

    def sample(self, trial) -> Dict[str, Any]:
        """Sample one configuration from an optuna trial.

        Args:
            trial: an ``optuna.trial.Trial`` (or anything with ``suggest_*``).

        Returns:
            The overrides ``{dotted key: config value}`` for this trial; conditional entries
            whose condition does not hold are left out.
        """
        values: Dict[str, Any] = {}
        for p in self.params:
            if not all(values.get(k, _MISSING) in allowed for k, allowed in p.condition.items()):
                continue
            if p.type == 'float':
                v = trial.suggest_float(p.key, p.low, p.high, log=p.log, step=p.step)
            elif p.type == 'int':
                v = trial.suggest_int(p.key, int(p.low), int(p.high), log=p.log,
                                      step=int(p.step or 1))
            else:
                v = p.decode(trial.suggest_categorical(p.key, p.encoded_choices))
            values[p.key] = v
        return values

    def decode_params(self, params: Dict[str, Any]) -> Dict[str, Any]:
        """Turn a trial's stored optuna params back into config overrides."""
        by_key = {p.key: p for p in self.params}
        return {k: by_key[k].decode(v) if k in by_key else v for k, v in params.items()}

    def digest(self) -> str:
        """A short hash of the distributions (changes when the space changes)."""
        text = json.dumps([p.as_dict() for p in self.params], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def check_against_config(self, cfg: Config, config_path: str) -> None:
        """Check that each key's parent exists in ``cfg`` (catches typos before trial 0).

        The last component may be new (e.g. adding ``weight_decay`` to an optimizer).

        Raises:
            UserInputError: naming the space file, the key and the missing component.
        """
        root = cfg.to_dict() if isinstance(cfg, Config) else cfg
        for p in list(self.params) + [ParamSpec(k, 'fixed') for k in self.cfg_options]:
            node: Any = root
            parts = p.key.split('.')
            for depth, part in enumerate(parts[:-1]):
                node = _child(node, part)
                if node is _MISSING:
                    where = '.'.join(parts[:depth]) or '<top level>'
                    raise UserInputError(
                        f'search space {self.path}: key {p.key!r} does not match config '
                        f'{config_path}: {where!r} has no field {part!r}')
            if not isinstance(node, (dict, list, tuple)):
                raise UserInputError(
                    f'search space {self.path}: key {p.key!r}: '
                    f'{".".join(parts[:-1])!r} in config {config_path} is a '
                    f'{type(node).__name__}, not a dict or list')


_MISSING = object()


def _child(node: Any, part: str) -> Any:
    if isinstance(node, (list, tuple)):
        if part.isdigit() and int(part) < len(node):
            return node[int(part)]
        return _MISSING
    if isinstance(node, dict):
        return node.get(part, _MISSING)
    return _MISSING


def _as_list(value: Any) -> List[Any]:
    return list(value) if isinstance(value, (list, tuple, set)) else [value]


def parse_entry(path: str, key: Any, spec: Any, earlier: List[str]) -> ParamSpec:
    """Validate one ``space`` entry and return its :class:`ParamSpec`.

    Raises:
        UserInputError: naming the file, the key and what is wrong.
    """
    where = f'search space {path}: entry {key!r}'
    if not isinstance(key, str) or not key or any(not part for part in key.split('.')):
        raise UserInputError(f'{where}: keys must be dotted config keys like '
                             "'optim_wrapper.optimizer.lr'")
    if not isinstance(spec, dict):
        raise UserInputError(f'{where}: expected a dict like dict(type=\'float\', low=..., '
                             f'high=...), got {type(spec).__name__}')
    spec = dict(spec)
    kind = spec.pop('type', None)
    if kind not in _TYPES:
        raise UserInputError(f'{where}: "type" must be one of {list(_TYPES)}, got {kind!r}')
    condition = spec.pop('condition', None) or {}
    if not isinstance(condition, dict):
        raise UserInputError(f'{where}: "condition" must be a dict {{earlier_key: value}}')
    for ckey in condition:
        if ckey not in earlier:
            raise UserInputError(f'{where}: condition refers to {ckey!r}, which is not an '
                                 'entry defined earlier in the space')
    unknown = set(spec) - _ALLOWED[kind]
    if unknown:
        raise UserInputError(f'{where}: unknown field(s) {sorted(unknown)} for type {kind!r} '
                             f'(allowed: {sorted(_ALLOWED[kind] | {"type", "condition"})})')
    cond = {k: _as_list(v) for k, v in condition.items()}
    if kind == 'categorical':
        choices = spec.get('choices')
        if not isinstance(choices, (list, tuple)) or not choices:
            raise UserInputError(f'{where}: "choices" must be a non-empty list')
        reprs = [repr(c) for c in choices]
        if len(set(reprs)) != len(reprs):
            raise UserInputError(f'{where}: "choices" has duplicates')
        return ParamSpec(key, 'categorical', choices=list(choices), condition=cond)
    for bound in ('low', 'high'):
        if bound not in spec:
            raise UserInputError(f'{where}: missing "{bound}"')
        if isinstance(spec[bound], bool) or not isinstance(spec[bound], (int, float)):
            raise UserInputError(f'{where}: "{bound}" must be a number, got {spec[bound]!r}')
    low, high = spec['low'], spec['high']
    log = bool(spec.get('log', kind == 'log-float'))
    step = spec.get('step')
    if not low < high:
        raise UserInputError(f'{where}: "low" ({low}) must be smaller than "high" ({high})')
    if log and low <= 0:
        raise UserInputError(f'{where}: a log-scale range needs low > 0, got {low}')
    if log and step is not None:
        raise UserInputError(f'{where}: "step" cannot be combined with a log scale')
    if kind == 'int':
        for name, v in (('low', low), ('high', high), ('step', step)):
            if v is not None and int(v) != v:
                raise UserInputError(f'{where}: "{name}" must be an integer, got {v!r}')
    if step is not None and (isinstance(step, bool) or not step > 0):
        raise UserInputError(f'{where}: "step" must be > 0, got {step!r}')
    ptype = 'int' if kind == 'int' else 'float'
    return ParamSpec(key, ptype, low=low, high=high, log=log, step=step, condition=cond)


def load_space(path: str) -> SearchSpace:
    """Load and validate a search-space file.

    Args:
        path: a Python file defining ``space`` (and optionally ``metric``, ``direction``,
            ``cfg_options``).

    Raises:
        UserInputError: when the file is missing or malformed, naming it and the entry.
    """
    if not osp.isfile(path):
        raise UserInputError(missing_path_message(
            'search-space file (--space)', path,
            'Example spaces live in configs/_search_/.'))
    try:
        module = runpy.run_path(path)
    except Exception as err:  # syntax errors, failing imports...
        raise UserInputError(f'search-space file {path!r} could not be loaded: {err}') from None
    space = module.get('space')
    if not isinstance(space, dict) or not space:
        raise UserInputError(f'search-space file {path!r} must define a non-empty dict '
                             "named 'space' (dotted config key -> distribution)")
    params: List[ParamSpec] = []
    for key, spec in space.items():
        params.append(parse_entry(path, key, _plain(spec), [p.key for p in params]))
    for p in params:
        by_key = {q.key: q for q in params}
        for ckey, allowed in p.condition.items():
            parent = by_key[ckey]
            if parent.type == 'categorical':
                bad = [v for v in allowed if repr(v) not in {repr(c) for c in parent.choices}]
                if bad:
                    raise UserInputError(
                        f'search space {path}: entry {p.key!r}: condition value(s) {bad} are '
                        f'not among the choices of {ckey!r} ({parent.choices})')
    direction = module.get('direction')
    if direction is not None and direction not in ('maximize', 'minimize'):
        raise UserInputError(f"search-space file {path!r}: 'direction' must be 'maximize' "
                             f"or 'minimize', got {direction!r}")
    metric = module.get('metric')
    if metric is not None and not isinstance(metric, str):
        raise UserInputError(f"search-space file {path!r}: 'metric' must be a string")
    cfg_options = _plain(module.get('cfg_options') or {})
    if not isinstance(cfg_options, dict):
        raise UserInputError(f"search-space file {path!r}: 'cfg_options' must be a dict")
    return SearchSpace(path=path, params=params, metric=metric, direction=direction,
                       cfg_options=cfg_options)


def _plain(value: Any) -> Any:
    """Convert mmengine ConfigDict values (and nested ones) to plain dicts/lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value
