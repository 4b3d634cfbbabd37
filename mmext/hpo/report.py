"""Outputs of a search, written to its work dir after the last trial.

* ``best_config.py``: the config of the best trial (fixed and sampled overrides merged),
  runnable with ``tools/train.py``;
* ``trials.csv``: one row per trial (number, state, value, times, params, error);
* ``optimization_history.png``, ``param_importances.png``, ``parallel_coordinate.png``
  (``optuna.visualization.matplotlib``; a plot that needs more finished trials is skipped
  with a note);
* a short table printed to stdout.

Files are written to a temporary name and renamed, so parallel workers finishing together
never leave a half-written file.
"""
import csv
import os
import os.path as osp
import warnings
from typing import Any, Dict, List, Optional

PLOTS = ('optimization_history', 'param_importances', 'parallel_coordinate')


def _state(t) -> str:
    return t.state.name


def _duration(t) -> Optional[float]:
    if t.datetime_start is None or t.datetime_complete is None:
        return None
    return (t.datetime_complete - t.datetime_start).total_seconds()


def write_trials_csv(study, path: str) -> str:
    """Write one row per trial to ``path`` and return it."""
    trials = study.get_trials(deepcopy=False)
    param_keys: List[str] = []
    for t in trials:
        param_keys += [k for k in t.params if k not in param_keys]
    header = ['number', 'state', 'value', 'datetime_start', 'datetime_complete',
              'duration_s', 'last_step'] + [f'params_{k}' for k in param_keys] + \
             ['interrupted', 'worker', 'work_dir', 'error']
    from .liveness import STUDY_ATTR_ABANDONED
    attrs = study.user_attrs
    tmp = f'{path}.{os.getpid()}.tmp'
    with open(tmp, 'w', newline='', encoding='utf-8') as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for t in trials:
            steps = sorted(t.intermediate_values)
            row = [t.number, _state(t), '' if t.value is None else repr(t.value),
                   t.datetime_start.isoformat() if t.datetime_start else '',
                   t.datetime_complete.isoformat() if t.datetime_complete else '',
                   '' if _duration(t) is None else f'{_duration(t):.3f}',
                   steps[-1] if steps else '']
            row += [t.params.get(k, '') for k in param_keys]
            row += [bool(t.user_attrs.get('interrupted', False)),
                    t.user_attrs.get('worker', ''), t.user_attrs.get('work_dir', ''),
                    t.user_attrs.get('error', '') or (
                        f"worker died: {attrs[f'{STUDY_ATTR_ABANDONED}{t.number}']}"
                        if f'{STUDY_ATTR_ABANDONED}{t.number}' in attrs else '')]
            writer.writerow(row)
    os.replace(tmp, path)
    return path


def write_best_config(study, prep, path: str) -> Optional[str]:
    """Write the best trial's config to ``path``; None when no trial completed."""
    from optuna.trial import TrialState

    from mmext.apis import load_config

    if not study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, )):
        return None
    best = study.best_trial
    overrides: Dict[str, Any] = dict(prep.fixed)
    overrides.update(prep.space.decode_params(best.params))
    cfg = load_config(prep.settings.config, overrides or None)
    cfg.pop('work_dir', None)
    tmp = f'{path}.{os.getpid()}.tmp.py'
    cfg.dump(tmp)
    with open(tmp, encoding='utf-8') as f:
        body = f.read()
    header = (f'# Best trial of optuna study {prep.study_name!r}: trial {best.number}, '
              f'{prep.metric} = {best.value!r} ({prep.direction}).\n'
              f'# Base config: {prep.settings.config}; search space: {prep.settings.space}.\n'
              f'# Sampled values: {prep.space.decode_params(best.params)!r}\n'
              f'# Train it: python tools/train.py {path}\n')
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(header + body)
    os.replace(tmp, path)
    return path


def write_plots(study, out_dir: str) -> Dict[str, str]:
    """Save the three PNG plots; return ``{plot: path or 'skipped: reason'}``."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import optuna.visualization.matplotlib as ovm
    from optuna.importance import FanovaImportanceEvaluator

    results: Dict[str, str] = {}
    for name in PLOTS:
        path = osp.join(out_dir, f'{name}.png')
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')  # ExperimentalWarning of the plot functions
                kwargs = {}
                if name == 'param_importances':  # seeded: the same study, the same plot
                    kwargs['evaluator'] = FanovaImportanceEvaluator(seed=0)
                ax = getattr(ovm, f'plot_{name}')(study, **kwargs)
            fig = ax.figure if hasattr(ax, 'figure') else ax.flat[0].figure
            fig.set_size_inches(9, 6)
            tmp = f'{path}.{os.getpid()}.tmp.png'
            fig.savefig(tmp, dpi=100, bbox_inches='tight')
            plt.close(fig)
            os.replace(tmp, path)
            results[name] = path
        except Exception as err:  # too few trials, a single-valued parameter...
            plt.close('all')
            results[name] = f'skipped: {type(err).__name__}: {err}'
    return results


def summary_table(study, metric: str, max_rows: int = 20) -> str:
    """A short text table of the trials (best first when there are many)."""
    from optuna.trial import TrialState

    trials = study.get_trials(deepcopy=False)
    counts = {s.name: 0 for s in TrialState}
    for t in trials:
        counts[t.state.name] += 1
    best_number = None
    try:
        best_number = study.best_trial.number
    except ValueError:
        pass
    rows = list(trials)
    if len(rows) > max_rows:
        maximize = study.direction.name == 'MAXIMIZE'
        done = [t for t in rows if t.value is not None]
        done.sort(key=lambda t: t.value, reverse=maximize)
        rows = done[:max_rows]
    lines = [f'{"trial":>5}  {"state":<8}  {metric[:24]:>24}  {"time (s)":>8}  params']
    for t in rows:
        value = '' if t.value is None else f'{t.value:.6g}'
        dur = '' if _duration(t) is None else f'{_duration(t):.1f}'
        mark = ' *' if t.number == best_number else '  '
        params = ', '.join(f'{k}={_short(v)}' for k, v in t.params.items())
        lines.append(f'{t.number:>5}{mark}{t.state.name:<8}  {value:>24}  {dur:>8}  {params}')
    summary = ', '.join(f'{n} {k}' for k, n in counts.items() if n)
    lines.append(f'{len(trials)} trials ({summary}); * = best')
    return '\n'.join(lines)


def _short(value: Any) -> str:
    return f'{value:.4g}' if isinstance(value, float) else str(value)


def write_outputs(study, prep) -> Dict[str, Any]:
    """Write every output of a search to its work dir and print the table.

    Returns:
        ``{'csv': path, 'best_config': path or None, 'plots': {...}}``.
    """
    out_dir = prep.work_dir
    os.makedirs(out_dir, exist_ok=True)
    result = dict(csv=write_trials_csv(study, osp.join(out_dir, 'trials.csv')),
                  best_config=write_best_config(study, prep,
                                                osp.join(out_dir, 'best_config.py')),
                  plots=write_plots(study, out_dir))
    print(f'\n== optuna study {prep.study_name!r}: {prep.metric} ({prep.direction})')
    print(summary_table(study, prep.metric))
    if result['best_config']:
        best = study.best_trial
        print(f'best: trial {best.number}, {prep.metric} = {best.value:.6g}, '
              f'params {prep.space.decode_params(best.params)}')
        print(f'best config: {result["best_config"]}')
    else:
        print('no trial completed: no best_config.py')
    print(f'trials: {result["csv"]}')
    for name, where in result['plots'].items():
        print(f'plot {name}: {where}')
    return result
