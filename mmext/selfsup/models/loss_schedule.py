"""Epoch schedules for the weights of FUMET's rough (object) and fine (camera-height) terms."""
import math
from typing import Dict, Optional


class WeightSchedule:
    """A loss-weight multiplier as a function of the (0-based) training epoch.

    Types:
        ``'constant'``: ``value`` from ``begin_epoch`` on (0 before).
        ``'linear'``: ``start`` at ``begin_epoch`` to ``end`` at ``end_epoch`` (held after).
        ``'log'``: the same path interpolated in log space (geometric):
            ``start * (end / start) ** t`` with ``t = (epoch - begin) / (end_epoch - begin)``
            clipped to ``[0, 1]``; ``start`` and ``end`` must be positive. This is the
            seed's logarithmic decay of the rough term over 20 epochs.

    Before ``begin_epoch`` the multiplier is 0 (the term is off).

    Args:
        type: ``'constant'``, ``'linear'`` or ``'log'``.
        value: Constant value.
        start: Value at ``begin_epoch``.
        end: Value at ``end_epoch``.
        begin_epoch: First epoch the term is on.
        end_epoch: Epoch at which ``end`` is reached.
    """

    def __init__(self, type: str = 'constant', value: float = 1.0, start: float = 1.0,
                 end: float = 1.0, begin_epoch: int = 0,
                 end_epoch: Optional[int] = None) -> None:
        if type not in ('constant', 'linear', 'log'):
            raise ValueError(f"schedule type must be 'constant', 'linear' or 'log', got {type!r}")
        if type != 'constant' and (end_epoch is None or end_epoch <= begin_epoch):
            raise ValueError(f'a {type} schedule needs end_epoch > begin_epoch '
                             f'(got {begin_epoch}..{end_epoch})')
        if type == 'log' and (start <= 0 or end <= 0):
            raise ValueError(f'a log schedule needs positive start/end, got {start}, {end}')
        self.type, self.value, self.start, self.end = type, value, start, end
        self.begin_epoch, self.end_epoch = begin_epoch, end_epoch

    def __call__(self, epoch: int) -> float:
        if epoch < self.begin_epoch:
            return 0.0
        if self.type == 'constant':
            return self.value
        t = min(1.0, (epoch - self.begin_epoch) / (self.end_epoch - self.begin_epoch))
        if self.type == 'linear':
            return self.start + (self.end - self.start) * t
        return math.exp(math.log(self.start) + t * (math.log(self.end) - math.log(self.start)))


def build_schedules(cfg: Optional[Dict[str, Dict]]) -> Dict[str, WeightSchedule]:
    """``{term: schedule config}`` -> ``{term: WeightSchedule}``."""
    return {k: WeightSchedule(**v) for k, v in (cfg or {}).items()}
