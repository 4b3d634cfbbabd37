"""Slot-count sweep: train and test one config for several numbers of slots.

Each run writes its work dir ``<work_dir>/slots_<K>/``; the sweep returns one row per K
with the test metrics and the last recorded collapse diagnostics (``SlotDiagnosticsHook``'s
``diagnostics.json``), and :func:`write_sweep_table` writes them as Markdown and CSV. Used
by ``tools/analysis_tools/slots_sweep.py``.
"""
import csv
import json
import os
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence

from mmengine.config import Config

DIAG_COLUMNS = ('mask_similarity', 'used_slots', 'amax_0', 'logit_spread', 'feat_std',
                'proj_std', 'collapsed')


def sweep_config(cfg: Config, num_slots: int, work_dir: str,
                 max_iters: Optional[int] = None) -> Config:
    """A copy of ``cfg`` with ``num_slots`` slots, its own work dir and optionally fewer
    iterations (validation at the end)."""
    cfg = Config(cfg.to_dict())  # deep copy
    if 'encoder' not in cfg.model or 'num_slots' not in cfg.model.encoder:
        raise KeyError('the slot-count sweep needs a config with model.encoder.num_slots')
    cfg.model.encoder.num_slots = int(num_slots)
    cfg.work_dir = osp.join(work_dir, f'slots_{num_slots}')
    if max_iters is not None:
        cfg.train_cfg.max_iters = int(max_iters)
        cfg.train_cfg.val_interval = int(max_iters)
    return cfg


def last_diagnostics(run_dir: str) -> Dict[str, Any]:
    """The last record of ``<run_dir>/diagnostics/diagnostics.json`` ({} if absent)."""
    path = osp.join(run_dir, 'diagnostics', 'diagnostics.json')
    if not osp.isfile(path):
        return {}
    with open(path) as f:
        hist = json.load(f)
    if not hist.get('iter'):
        return {}
    return {k: v[-1] for k, v in hist.items() if isinstance(v, list) and v}


def run_sweep(cfg: Config, num_slots: Sequence[int], work_dir: str,
              max_iters: Optional[int] = None) -> List[Dict[str, Any]]:
    """Train + test ``cfg`` once per slot count; one result row per count."""
    from mmengine.runner import Runner
    rows = []
    for k in num_slots:
        run_cfg = sweep_config(cfg, k, work_dir, max_iters)
        runner = Runner.from_cfg(run_cfg)
        runner.train()
        metrics = runner.test()
        diag = last_diagnostics(run_cfg.work_dir)
        row: Dict[str, Any] = dict(num_slots=k)
        row.update({name: metrics[name] for name in sorted(metrics)})
        row.update({f'diag/{c}': diag.get(c) for c in DIAG_COLUMNS})
        rows.append(row)
    return rows


def write_sweep_table(rows: List[Dict[str, Any]], work_dir: str) -> List[str]:
    """Write ``sweep.md`` and ``sweep.csv`` under ``work_dir``; returns their paths."""
    os.makedirs(work_dir, exist_ok=True)
    cols = list(dict.fromkeys(c for r in rows for c in r))

    def fmt(v: Any) -> str:
        return f'{v:.4f}' if isinstance(v, float) else str(v)

    md = osp.join(work_dir, 'sweep.md')
    with open(md, 'w') as f:
        f.write('| ' + ' | '.join(cols) + ' |\n|' + '---|' * len(cols) + '\n')
        for r in rows:
            f.write('| ' + ' | '.join(fmt(r.get(c)) for c in cols) + ' |\n')
    path_csv = osp.join(work_dir, 'sweep.csv')
    with open(path_csv, 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    return [md, path_csv]
