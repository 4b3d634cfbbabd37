"""Gather the results of several runs (seeds) into mean ± std tables, checked by run cards.

A *run* is a work dir. Its numbers come from

* the run card (``run_card_test.json``, else ``run_card.json``, :mod:`.run_card`): the
  scalar metrics of the last test (or validation) as mmengine's evaluator returned them;
  where a work dir has no metrics in a card, the metrics mmengine itself logged
  (``<timestamp>/<timestamp>.json`` of a test run, else the last line of
  ``<timestamp>/vis_data/scalars.json``);
* row tables inside the work dir, named by a path pattern relative to it: a CSV whose first
  column names the row (``tools/test.py --table-out``'s per-class tables) or a JSON
  ``{row: {column: value}}`` (e.g. ``pseudo_labels/*/stats.json``).

Runs are put in named groups (one method or baseline each). Before the runs of a group are
averaged their cards are compared (:func:`mmext.engine.run_card.comparable_fields`): they
must agree on everything but the seed, and no seed may occur twice; otherwise
:class:`MixedRunsError` names what differs (``allow_mixed=True`` averages anyway and says
so in the output).
"""
import csv
import glob
import io
import json
import math
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from mmext.utils.errors import UserInputError

from .run_card import CARD_NAMES, comparable_fields, read_run_card

Table = Dict[str, Dict[str, float]]


class MixedRunsError(UserInputError):
    """Runs of one group differ in more than the seed."""


@dataclass
class Run:
    """One work dir: its cards and numbers."""
    work_dir: str
    card: Optional[dict] = None
    test_card: Optional[dict] = None
    scalars: Dict[str, float] = field(default_factory=dict)
    tables: Dict[str, Table] = field(default_factory=dict)

    @property
    def seed(self) -> Optional[int]:
        """The training seed (the test card's when there is no training card)."""
        for card in (self.card, self.test_card):
            if card and card.get('seed') is not None:
                return card['seed']
        return None


def _load_card(work_dir: str, mode: str) -> Optional[dict]:
    path = osp.join(work_dir, CARD_NAMES[mode])
    if not osp.isfile(path):
        return None
    try:
        return read_run_card(path)
    except (OSError, ValueError) as err:
        raise UserInputError(f'run card {path!r} could not be read: {err}') from None


def _newest(paths: Sequence[str]) -> Optional[str]:
    return max(paths, key=osp.getmtime) if paths else None


def logged_scalars(work_dir: str) -> Dict[str, float]:
    """Metrics mmengine wrote itself: the newest test log, else the last validation line."""
    test_logs = [p for p in glob.glob(osp.join(work_dir, '*', '*.json'))
                 if osp.basename(p)[:-5] == osp.basename(osp.dirname(p))]
    path = _newest(test_logs)
    if path:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
        return {k: float(v) for k, v in data.items() if isinstance(v, (int, float))}
    path = _newest(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if path:
        last: Dict[str, float] = {}
        with open(path, encoding='utf-8') as f:
            for line in f:
                row = json.loads(line) if line.strip() else {}
                if any('/' in k for k in row):  # evaluator keys carry a prefix: coco/...
                    last = row
        return {k: float(v) for k, v in last.items()
                if '/' in k and isinstance(v, (int, float))}
    return {}


def read_row_table(path: str) -> Table:
    """A CSV (first column = row name, header = column names) or JSON ``{row: {col: v}}``."""
    try:
        if path.endswith('.json'):
            with open(path, encoding='utf-8') as f:
                data = json.load(f)
            if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
                raise ValueError('expected {row: {column: value}}')
            return {str(r): {str(c): _num(v) for c, v in cols.items()} for r, cols in data.items()}
        with open(path, encoding='utf-8', newline='') as f:
            rows = list(csv.reader(f))
        header = rows[0]
        return {r[0]: {c: _num(v) for c, v in zip(header[1:], r[1:])} for r in rows[1:] if r}
    except (OSError, ValueError, IndexError) as err:
        raise UserInputError(f'table {path!r} could not be read: {err}') from None


def _num(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float('nan')


def load_run(work_dir: str, table_patterns: Sequence[str] = ()) -> Run:
    """Read a work dir's cards, scalar metrics and the tables matching ``table_patterns``."""
    if not osp.isdir(work_dir):
        raise UserInputError(f'work dir not found: {work_dir!r}')
    run = Run(work_dir, card=_load_card(work_dir, 'train'), test_card=_load_card(work_dir, 'test'))
    for card in (run.card, run.test_card):  # the test's metrics win over the last validation
        if card and card.get('metrics'):
            run.scalars.update(card['metrics'])
    if not run.scalars:
        run.scalars = logged_scalars(work_dir)
    for pattern in table_patterns:
        found = sorted(glob.glob(osp.join(work_dir, pattern)))
        if not found:
            raise UserInputError(f'{work_dir}: no file matches the table pattern {pattern!r}')
        if len(found) > 1:
            raise UserInputError(f'{work_dir}: table pattern {pattern!r} matches {len(found)} '
                                 f'files ({", ".join(found[:3])} ...); make it match one')
        run.tables[pattern] = read_row_table(found[0])
    return run


def expand_work_dirs(patterns: Sequence[str]) -> List[str]:
    """Work dirs from paths or glob patterns, in order, without duplicates."""
    dirs: List[str] = []
    for pattern in patterns:
        matches = sorted(p for p in glob.glob(pattern) if osp.isdir(p))
        if not matches:
            raise UserInputError(f'no work dir matches {pattern!r}')
        dirs += [m for m in matches if m not in dirs]
    return dirs


def check_comparable(runs: Sequence[Run], group: str = '') -> List[str]:
    """Reasons why ``runs`` must not be averaged (empty when they differ only in the seed)."""
    problems: List[str] = []
    where = f'group {group!r}: ' if group else ''
    for attr, label in (('card', 'run_card.json'), ('test_card', 'run_card_test.json')):
        cards = [getattr(r, attr) for r in runs]
        present = [c is not None for c in cards]
        if not any(present):
            continue
        if not all(present):
            missing = [r.work_dir for r in runs if getattr(r, attr) is None]
            problems.append(f'{where}{label} missing in {", ".join(missing)}')
            continue
        ref = comparable_fields(cards[0])
        for run, card in zip(runs[1:], cards[1:]):
            fields = comparable_fields(card)
            diff = [k for k in ref if fields.get(k) != ref[k]]
            if diff:
                problems.append(f'{where}{run.work_dir} differs from {runs[0].work_dir} '
                                f'in {label}: {", ".join(diff)}')
    if all(r.card is None and r.test_card is None for r in runs):
        problems.append(f'{where}no run card in {", ".join(r.work_dir for r in runs)} '
                        '(cannot check that the runs differ only in the seed)')
    seeds = [r.seed for r in runs]
    repeated = sorted({s for s in seeds if s is not None and seeds.count(s) > 1})
    if repeated:
        problems.append(f'{where}seed(s) {repeated} occur more than once: the same draw '
                        'would be counted twice')
    return problems


def mean_std(values: Sequence[float]) -> Tuple[float, float, int]:
    """Mean, sample standard deviation (n - 1; NaN for one value) and count, NaNs left out."""
    vals = [v for v in values if not math.isnan(v)]
    n = len(vals)
    if n == 0:
        return float('nan'), float('nan'), 0
    mean = sum(vals) / n
    std = math.sqrt(sum((v - mean)**2 for v in vals) / (n - 1)) if n > 1 else float('nan')
    return mean, std, n


def format_mean_std(mean: float, std: float, n: int, digits: int = 4) -> str:
    """``0.5928 ± 0.0123`` (``0.5928`` for one run, ``nan`` for none)."""
    if n == 0 or math.isnan(mean):
        return 'nan'
    if n == 1 or math.isnan(std):
        return f'{mean:.{digits}f}'
    return f'{mean:.{digits}f} ± {std:.{digits}f}'


@dataclass
class Collection:
    """Groups of runs and the aggregated numbers."""
    groups: Dict[str, List[Run]]
    problems: List[str]
    # rows of the long CSV: (group, table, row, column, mean, std, n, values, seeds)
    records: List[tuple] = field(default_factory=list)


def collect(groups: Dict[str, List[str]], table_patterns: Sequence[str] = (),
            allow_mixed: bool = False) -> Collection:
    """Load the groups' runs and check them.

    Args:
        groups: group name -> work dirs (or glob patterns).
        table_patterns: row tables to read from every work dir.
        allow_mixed: average even when the runs of a group differ in more than the seed.

    Raises:
        MixedRunsError: when a group mixes runs and ``allow_mixed`` is False.
    """
    loaded = {name: [load_run(d, table_patterns) for d in expand_work_dirs(dirs)]
              for name, dirs in groups.items()}
    problems = [p for name, runs in loaded.items() for p in check_comparable(runs, name)]
    if problems and not allow_mixed:
        raise MixedRunsError('refusing to average runs that differ in more than the seed '
                             '(pass --allow-mixed to average anyway):\n  ' + '\n  '.join(problems))
    return Collection(loaded, problems)


def _values(runs: Sequence[Run], table: Optional[str], row: str, col: str) -> List[float]:
    if table is None:
        return [r.scalars.get(col, float('nan')) for r in runs]
    return [r.tables[table].get(row, {}).get(col, float('nan')) for r in runs]


def table_markdown(coll: Collection, table: Optional[str], columns: Sequence[str],
                   rows: Optional[Sequence[str]] = None, digits: int = 4) -> str:
    """One Markdown table: a row per table row (or per scalar metric when ``table`` is None),
    a column per (group, column), cells ``mean ± std``; records the numbers for the CSV."""
    if table is None:  # scalar metrics: one row per metric, one column per group
        header = ['metric'] + [f'{g} (n={len(r)})' for g, r in coll.groups.items()]
        lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
        for col in columns:
            cells = [col]
            for group, runs in coll.groups.items():
                vals = _values(runs, None, '', col)
                m, s, n = mean_std(vals)
                cells.append(format_mean_std(m, s, n, digits))
                coll.records.append((group, 'scalars', '', col, m, s, n, vals,
                                     [r.seed for r in runs]))
            lines.append('| ' + ' | '.join(cells) + ' |')
        return '\n'.join(lines)
    if rows is None:
        rows = []
        for runs in coll.groups.values():
            for run in runs:
                rows += [r for r in run.tables[table] if r not in rows]
    header = ['row'] + [f'{g} {c}' for g in coll.groups for c in columns]
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    for row in rows:
        cells = [row]
        for group, runs in coll.groups.items():
            for col in columns:
                vals = _values(runs, table, row, col)
                m, s, n = mean_std(vals)
                cells.append(format_mean_std(m, s, n, digits))
                coll.records.append((group, table, row, col, m, s, n, vals,
                                     [r.seed for r in runs]))
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def records_csv(coll: Collection) -> str:
    """Long CSV of every aggregated number (one line per group/table/row/column)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator='\n')
    writer.writerow(['group', 'table', 'row', 'column', 'mean', 'std', 'n', 'values', 'seeds'])
    for group, table, row, col, m, s, n, vals, seeds in coll.records:
        writer.writerow([group, table, row, col, repr(m), repr(s), n,
                         ' '.join(repr(v) for v in vals), ' '.join(str(x) for x in seeds)])
    return out.getvalue()


def summary_lines(coll: Collection) -> List[str]:
    """Which runs (seeds) each group holds, and the comparability warnings if any."""
    lines = []
    for group, runs in coll.groups.items():
        seeds = ', '.join(str(r.seed) for r in runs)
        lines.append(f'{group}: {len(runs)} run(s), seeds {seeds} '
                     f'({", ".join(r.work_dir for r in runs)})')
    lines.append('cells: mean ± sample std (n-1) over the runs of a group; one run: its value')
    for p in coll.problems:
        lines.append(f'WARNING (--allow-mixed): {p}')
    return lines
