"""The "every key must load" rule for pretrained encoders, shared by all families.

A frozen pretrained encoder that silently keeps some of its random initial weights gives
wrong numbers with no error (the model trains on a partly random, frozen feature
extractor). Every family that loads a pretrained encoder checks the key sets with
:func:`key_report` and calls :func:`require_all_keys_loaded`, which raises
:class:`IncompleteWeightsError` naming the checkpoint and the first offending keys.
:func:`load_all_keys` does both and then loads.
"""
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Type

from torch import Tensor, nn

from .errors import UserInputError

__all__ = ['IncompleteWeightsError', 'key_report', 'require_all_keys_loaded', 'load_all_keys']


class IncompleteWeightsError(UserInputError, ValueError):
    """A checkpoint does not fill every parameter of a pretrained (often frozen) encoder."""


def key_report(own: Iterable[str], loaded: Iterable[str],
               ignore_missing: Callable[[str], bool] = lambda k: False,
               ignore_unexpected: Callable[[str], bool] = lambda k: False
               ) -> Dict[str, List[str]]:
    """Compare the keys of a module's state dict with those of a checkpoint.

    Args:
        own: Keys the module expects (``module.state_dict().keys()``).
        loaded: Keys the checkpoint provides (after any layout conversion).
        ignore_missing: Predicate for module keys that may stay unfilled (e.g. BatchNorm's
            ``num_batches_tracked``).
        ignore_unexpected: Predicate for checkpoint keys known to be unused (e.g. a final
            norm the model does not use).

    Returns:
        ``{'missing': [...], 'unexpected': [...]}``, each sorted.
    """
    own, loaded = set(own), set(loaded)
    return dict(missing=sorted(k for k in own - loaded if not ignore_missing(k)),
                unexpected=sorted(k for k in loaded - own if not ignore_unexpected(k)))


def require_all_keys_loaded(report: Mapping[str, List[str]], source: str, what: str,
                            error_cls: Type[Exception] = IncompleteWeightsError,
                            total: Optional[int] = None) -> None:
    """Raise ``error_cls`` if ``report`` lists any missing, unexpected or mismatched key.

    Args:
        report: ``{'missing': [...], 'unexpected': [...], ...}`` (any list-valued keys).
        source: The checkpoint (path or id) named in the message.
        what: The module being loaded (e.g. ``'frozen DINOv2 backbone'``).
        error_cls: Exception class (families keep their own, e.g. depth's
            ``WeightLoadError``).
        total: Number of keys the module expects, quoted in the message.
    """
    bad = {k: v for k, v in report.items() if v}
    if not bad:
        return
    n_missing = len(report.get('missing', ()))
    head = f'{source}: the checkpoint does not fill the {what}'
    if total is not None:
        head += f' ({total - n_missing} of {total} keys loaded)'
    detail = '; '.join(f'{k} ({len(v)}): {v[:8]}' for k, v in bad.items())
    raise error_cls(f'{head}; {detail}. A pretrained encoder must load every key: check the '
                    'checkpoint layout and the model arguments (arch, layer scale, '
                    'patch size).')


def load_all_keys(module: nn.Module, state_dict: Mapping[str, Tensor], source: str,
                  what: str, ignore_missing: Callable[[str], bool] = lambda k: False,
                  ignore_unexpected: Callable[[str], bool] = lambda k: False
                  ) -> Dict[str, List[str]]:
    """Check with :func:`require_all_keys_loaded`, then load ``state_dict`` into ``module``.

    Unexpected keys accepted by ``ignore_unexpected`` are dropped before loading; the
    module's own ``load_state_dict`` hooks (e.g. position-embedding resizing) still run,
    and a shape mismatch they do not handle raises ``error``.

    Returns:
        The key report (empty lists on success).
    """
    own = module.state_dict().keys()
    report = key_report(own, state_dict.keys(), ignore_missing, ignore_unexpected)
    require_all_keys_loaded(report, source, what, total=len(own))
    kept = {k: v for k, v in state_dict.items() if k in own}
    try:
        result = module.load_state_dict(kept, strict=False)
    except RuntimeError as e:  # size mismatches
        raise IncompleteWeightsError(f'{source}: cannot load into the {what}: {e}') from e
    late = [k for k in result.missing_keys if not ignore_missing(k)]
    require_all_keys_loaded(dict(missing=late), source, what, total=len(own))
    return report
