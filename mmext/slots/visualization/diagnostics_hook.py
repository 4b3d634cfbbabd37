"""SlotDiagnosticsHook: record, plot and judge the collapse diagnostics during training.

The slot models return log 004's collapse diagnostics as ``diag_*`` values of their loss
dict (:mod:`mmext.slots.diagnostics`), which MMEngine already prints next to the loss. This
hook keeps their history every ``interval`` iterations, logs a one-line WARNING whenever
:func:`~mmext.slots.diagnostics.collapse_reasons` finds a collapse (so a collapsed run is
recognisable from the log alone), and at the end of training writes under
``<work_dir>/<out_dir>/``:

* ``diagnostics.json`` -- ``{"iter": [...], "<name>": [...], "collapsed": [...]}``;
* ``mask_similarity.png``, ``slot_max.png`` (max mask value per slot rank, and the 1/K
  line), ``mask_logits.png`` (mean +- std, min / max, spread over slots),
  ``feature_spread.png`` (backbone feature std and projected token std).
"""
import json
import os
import os.path as osp
from typing import Any, Dict, List, Optional

from mmengine.hooks import Hook

from mmext.registry import HOOKS
from ..diagnostics import collapse_reasons

PLOTS = {
    'mask_similarity': ['mask_similarity', 'used_slots'],
    'slot_max': ['amax_*', 'attn_max_min', 'attn_max_mean'],
    'mask_logits': ['logit_mean', 'logit_std', 'logit_min', 'logit_max', 'logit_spread'],
    'feature_spread': ['feat_std', 'proj_std'],
}


@HOOKS.register_module()
class SlotDiagnosticsHook(Hook):
    """Keep, plot and judge the ``diag_*`` training values of a slot model.

    Args:
        interval: Record every ``interval`` training iterations.
        out_dir: Folder under the work dir for the JSON and the plots.
        num_slots: K for the verdict (default: read from ``model.encoder.num_slots``).
        max_mask_similarity, min_used_slots, min_logit_spread: Thresholds of
            :func:`~mmext.slots.diagnostics.collapse_reasons`.
    """

    priority = 'LOW'

    def __init__(self, interval: int = 50, out_dir: str = 'diagnostics',
                 num_slots: Optional[int] = None, max_mask_similarity: float = 0.8,
                 min_used_slots: float = 1.5, min_logit_spread: float = 0.05) -> None:
        self.interval, self.out_dir, self.num_slots = interval, out_dir, num_slots
        self.thresholds = dict(max_mask_similarity=max_mask_similarity,
                               min_used_slots=min_used_slots,
                               min_logit_spread=min_logit_spread)
        self.history: Dict[str, List[Any]] = {'iter': [], 'collapsed': []}

    def before_train(self, runner: Any) -> None:
        if self.num_slots is None:
            model = getattr(runner.model, 'module', runner.model)
            self.num_slots = int(model.encoder.num_slots)

    def after_train_iter(self, runner: Any, batch_idx: int, data_batch: Any = None,
                         outputs: Optional[Dict[str, Any]] = None) -> None:
        if not outputs or not (runner.iter == 0
                               or self.every_n_train_iters(runner, self.interval)):
            return
        diag = {k[len('diag_'):]: float(v) for k, v in outputs.items()
                if k.startswith('diag_')}
        if not diag:
            return
        self.record(runner.iter + 1, diag, runner.logger)

    def record(self, it: int, diag: Dict[str, float], logger: Any = None) -> List[str]:
        """Append one set of diagnostics; log a warning and return the reasons if collapsed."""
        reasons = collapse_reasons(diag, self.num_slots, **self.thresholds)
        n = len(self.history['iter'])
        self.history['iter'].append(it)
        self.history['collapsed'].append(bool(reasons))
        for k, v in diag.items():
            self.history.setdefault(k, [None] * n).append(v)
        for k, vals in self.history.items():  # keys absent this time
            if len(vals) < n + 1:
                vals.append(None)
        if reasons and logger is not None:
            amax = [round(diag[k], 3) for k in sorted(diag) if k.startswith('amax_')]
            logger.warning(f'slot collapse suspected at iter {it}: ' + '; '.join(reasons)
                           + f'; max mask value per slot {amax}')
        return reasons

    def after_train(self, runner: Any) -> None:
        self.save(osp.join(runner.work_dir, self.out_dir))

    def save(self, folder: str) -> List[str]:
        """Write the JSON history and the plots; returns the written paths."""
        os.makedirs(folder, exist_ok=True)
        paths = [osp.join(folder, 'diagnostics.json')]
        with open(paths[0], 'w') as f:
            json.dump(self.history, f, indent=1)
        if len(self.history['iter']) == 0:
            return paths
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        its = self.history['iter']
        for name, patterns in PLOTS.items():
            keys = [k for k in self.history for p in patterns
                    if k == p or (p.endswith('*') and k.startswith(p[:-1]))]
            keys = [k for k in keys if any(v is not None for v in self.history[k])]
            if not keys:
                continue
            fig, ax = plt.subplots(figsize=(6, 3.5))
            for k in keys:
                ys = [float('nan') if v is None else v for v in self.history[k]]
                ax.plot(its, ys, marker='.', label=k)
            if name == 'slot_max' and self.num_slots:
                ax.axhline(1 / self.num_slots, color='grey', ls='--', label='1/K')
            bad = [i for i, c in zip(its, self.history['collapsed']) if c]
            if bad:
                ax.scatter(bad, [ax.get_ylim()[1]] * len(bad), marker='x', color='red',
                           label='collapse suspected')
            ax.set_xlabel('iteration')
            ax.set_title(name)
            ax.legend(fontsize=6, ncol=2)
            fig.tight_layout()
            path = osp.join(folder, f'{name}.png')
            fig.savefig(path, dpi=90)
            plt.close(fig)
            paths.append(path)
        return paths
