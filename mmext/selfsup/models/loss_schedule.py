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
            clipped to ``[0, 1]``; ``start`` and ``end`` must be positive.
        ``'fumet_fine'`` / ``'fumet_rough'``: FUMET's ``set_gradual_loss_weights`` (its
            code, restated). With ``k = keep_epoch`` (``--keep_metric_loss_weight_epoch``,
            1), ``L = limit_epoch`` (``--gradual_limit_epoch``, 20) and
            ``r = log(epoch // k + 1) / log(L // k + 1)``: the fine (camera-height) rate
            is ``r`` while ``epoch // k < L // k``, then 1; the rough (object-height) rate
            is ``1 - r``, then ``min_value`` (``--rough_metric_weight_min``, 0.005). Both
            are multiplied by ``value``. With FUMET's defaults the fine rate is 0, 0.23,
            0.59 and 0.79 at (0-based) epochs 0, 1, 5 and 10 and the rough rate 1, 0.77,
            0.41, 0.21.

    Before ``begin_epoch`` the multiplier is 0 (the term is off).

    Args:
        type: ``'constant'``, ``'linear'`` or ``'log'``.
        value: Constant value.
        start: Value at ``begin_epoch``.
        end: Value at ``end_epoch``.
        begin_epoch: First epoch the term is on.
        end_epoch: Epoch at which ``end`` is reached.
        limit_epoch: FUMET types: ``L``.
        keep_epoch: FUMET types: ``k``.
        min_value: ``'fumet_rough'``: the rate after ``L``.
    """

    TYPES = ('constant', 'linear', 'log', 'fumet_fine', 'fumet_rough')

    def __init__(self, type: str = 'constant', value: float = 1.0, start: float = 1.0,
                 end: float = 1.0, begin_epoch: int = 0,
                 end_epoch: Optional[int] = None, limit_epoch: int = 20,
                 keep_epoch: int = 1, min_value: float = 0.005) -> None:
        if type not in self.TYPES:
            raise ValueError(f'schedule type must be one of {self.TYPES}, got {type!r}')
        if type.startswith('fumet') and (keep_epoch < 1 or limit_epoch // keep_epoch < 1):
            raise ValueError(f'FUMET schedules need keep_epoch >= 1 and limit_epoch >= '
                             f'keep_epoch, got {keep_epoch}, {limit_epoch}')
        if type in ('linear', 'log') and (end_epoch is None or end_epoch <= begin_epoch):
            raise ValueError(f'a {type} schedule needs end_epoch > begin_epoch '
                             f'(got {begin_epoch}..{end_epoch})')
        if type == 'log' and (start <= 0 or end <= 0):
            raise ValueError(f'a log schedule needs positive start/end, got {start}, {end}')
        self.type, self.value, self.start, self.end = type, value, start, end
        self.begin_epoch, self.end_epoch = begin_epoch, end_epoch
        self.limit_epoch, self.keep_epoch, self.min_value = limit_epoch, keep_epoch, min_value

    def __call__(self, epoch: int) -> float:
        if epoch < self.begin_epoch:
            return 0.0
        if self.type == 'constant':
            return self.value
        if self.type.startswith('fumet'):
            e, lim = epoch // self.keep_epoch, self.limit_epoch // self.keep_epoch
            if e < lim:
                r = math.log(e + 1) / math.log(lim + 1)
                rate = r if self.type == 'fumet_fine' else 1.0 - r
            else:
                rate = 1.0 if self.type == 'fumet_fine' else self.min_value
            return self.value * rate
        t = min(1.0, (epoch - self.begin_epoch) / (self.end_epoch - self.begin_epoch))
        if self.type == 'linear':
            return self.start + (self.end - self.start) * t
        return math.exp(math.log(self.start) + t * (math.log(self.end) - math.log(self.start)))


def build_schedules(cfg: Optional[Dict[str, Dict]]) -> Dict[str, WeightSchedule]:
    """``{term: schedule config}`` -> ``{term: WeightSchedule}``."""
    return {k: WeightSchedule(**v) for k, v in (cfg or {}).items()}
