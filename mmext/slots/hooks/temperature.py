"""SlotTemperatureHook: anneal a temperature of the slot model during training.

Log 004 (``ex_slot1``) annealed the temperature of the pixel Slot Attention: it improved the
separation without fixing the collapse. The hook sets one float attribute of the model --
``'decoder.mask_temperature'`` (tau of the decoder alphas) or
``'encoder.slot_attention.temperature'`` (the attention logits) -- before every training
iteration to

* ``'linear'``: ``start + (end - start) * p``,
* ``'exp'``: ``start * (end / start) ** p``,

with ``p = clip((iter - begin) / (end_iter - begin), 0, 1)``, and logs it as
``train/<attribute>``. Validation and testing run at the temperature reached.
"""
from typing import Any

from mmengine.hooks import Hook

from mmext.registry import HOOKS


def annealed_value(it: int, start: float, end: float, begin: int, end_iter: int,
                   schedule: str = 'exp') -> float:
    """The temperature at iteration ``it`` (see the module docstring)."""
    p = min(max((it - begin) / max(end_iter - begin, 1), 0.0), 1.0)
    if schedule == 'linear':
        return start + (end - start) * p
    if schedule == 'exp':
        return start * (end / start) ** p
    raise ValueError(f"schedule must be 'linear' or 'exp', got {schedule!r}")


@HOOKS.register_module()
class SlotTemperatureHook(Hook):
    """Anneal ``param`` of the model from ``start`` to ``end``.

    Args:
        param: Dotted attribute path on the model (see the module docstring).
        start, end: Temperatures at ``begin`` and from ``end_iter`` on (> 0).
        begin, end_iter: Iteration range of the annealing.
        schedule: ``'exp'`` (geometric) or ``'linear'``.
    """

    priority = 'NORMAL'

    def __init__(self, param: str = 'decoder.mask_temperature', start: float = 1.0,
                 end: float = 0.5, begin: int = 0, end_iter: int = 1000,
                 schedule: str = 'exp') -> None:
        if start <= 0 or end <= 0:
            raise ValueError(f'temperatures must be > 0, got start={start}, end={end}')
        annealed_value(0, start, end, begin, end_iter, schedule)  # validates schedule
        self.param, self.start, self.end = param, float(start), float(end)
        self.begin, self.end_iter, self.schedule = begin, end_iter, schedule

    def _owner(self, runner: Any):
        obj = getattr(runner.model, 'module', runner.model)
        *path, attr = self.param.split('.')
        for name in path:
            if not hasattr(obj, name):
                raise AttributeError(f'SlotTemperatureHook.param {self.param!r}: the model '
                                     f'has no {name!r}')
            obj = getattr(obj, name)
        if not isinstance(getattr(obj, attr, None), float):
            raise AttributeError(f'SlotTemperatureHook.param {self.param!r} is not a float '
                                 'attribute of the model')
        return obj, attr

    def before_train(self, runner: Any) -> None:
        self._owner(runner)  # fail early on a wrong path

    def before_train_iter(self, runner: Any, batch_idx: int, data_batch: Any = None) -> None:
        obj, attr = self._owner(runner)
        value = annealed_value(runner.iter, self.start, self.end, self.begin, self.end_iter,
                               self.schedule)
        setattr(obj, attr, value)
        runner.message_hub.update_scalar(f'train/{attr}', value)
