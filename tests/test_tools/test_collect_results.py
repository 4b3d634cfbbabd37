"""collect_results.py: mean ± std over seeds from run cards and --table-out tables; refuses
to average runs whose cards differ in more than the seed. train_seeds.py: one command, N
seeds, one work dir each."""
import csv
import io
import json
import math
import os
import os.path as osp
import shutil
import statistics

import pytest
from mmengine.config import Config

from mmext.detection.metrics.coco_classwise_metric import format_table
from mmext.engine.run_card import CARD_NAMES, build_run_card, write_json_atomic
from tests._helpers.tools import REPO, load_tool, run_tool
from tests._helpers.toy_data import make_toy_flir, write_toy_config

COLLECT = osp.join(REPO, 'tools', 'analysis_tools', 'collect_results.py')
SEEDS_TOOL = osp.join(REPO, 'tools', 'train_seeds.py')
COLS = ('mAP', 'mAP_50', 'mAP_75', 'mAP_s', 'mAP_m', 'mAP_l')


def _fake_run(root, name, seed, person_map, lr=0.1, metrics=None):
    """A work dir in the real formats: a card from build_run_card, a per-class CSV table
    written by CocoClasswiseMetric's formatter and a stats.json like the pseudo-labeller's."""
    wd = osp.join(root, name, f'seed{seed}')
    os.makedirs(osp.join(wd, 'pseudo_labels', 'k'), exist_ok=True)
    cfg = Config(dict(optim_wrapper=dict(optimizer=dict(lr=lr)),
                      randomness=dict(seed=seed, deterministic=True), work_dir=wd))
    card = build_run_card(cfg, 'train', seed, wd, deterministic=True)
    card.update(status='finished', metrics=metrics or {'coco/bbox_mAP': person_map / 2})
    write_json_atomic(osp.join(wd, CARD_NAMES['train']), card)
    rows = {'person': {c: person_map for c in COLS},
            'car': {c: 0.5 for c in COLS},
            'all': {c: (person_map + 0.5) / 2 for c in COLS}}
    rows['car']['mAP_s'] = float('nan')
    with open(osp.join(wd, 'per_class_map.csv'), 'w', encoding='utf-8') as f:
        f.write(format_table(rows, 'csv'))
    with open(osp.join(wd, 'pseudo_labels', 'k', 'stats.json'), 'w', encoding='utf-8') as f:
        json.dump({'person': dict(count=300 + seed, precision=0.9)}, f)
    return wd


def _collect(*args):
    out = io.StringIO()
    import contextlib
    with contextlib.redirect_stdout(out):
        code, err = run_tool(COLLECT, *args)
    return code, out.getvalue(), err


def test_mean_std_per_class_and_csv(tmp_path):
    vals = [0.60, 0.62, 0.67]
    for seed, v in enumerate(vals):
        _fake_run(str(tmp_path), 'gt', seed, v)
    _fake_run(str(tmp_path), 'pseudo', 0, 0.5)
    csv_out = str(tmp_path / 'out.csv')
    code, out, err = _collect(f'GT={tmp_path}/gt/seed*', f'pseudo={tmp_path}/pseudo/seed0',
                              '--table', 'per_class_map.csv', '--columns', 'mAP', 'mAP_s',
                              '--metrics', 'coco/bbox_mAP', '--csv-out', csv_out)
    assert code == 0, err
    mean, std = statistics.mean(vals), statistics.stdev(vals)
    assert f'{mean:.4f} ± {std:.4f}' in out
    person = [line for line in out.splitlines() if line.startswith('| person')][0]
    assert person.split('|')[2].strip() == f'{mean:.4f} ± {std:.4f}'
    assert person.split('|')[4].strip() == '0.5000'  # one run: its value, no ± part
    car = [line for line in out.splitlines() if line.startswith('| car')][0]
    assert car.split('|')[3].strip() == 'nan'
    assert 'GT: 3 run(s), seeds 0, 1, 2' in out
    with open(csv_out, encoding='utf-8') as f:
        rows = list(csv.DictReader(f))
    rec = [r for r in rows if r['group'] == 'GT' and r['row'] == 'person'
           and r['column'] == 'mAP'][0]
    assert float(rec['mean']) == pytest.approx(mean) and float(rec['std']) == pytest.approx(std)
    assert rec['n'] == '3' and rec['seeds'] == '0 1 2'
    scalar = [r for r in rows if r['table'] == 'scalars' and r['group'] == 'GT'][0]
    assert float(scalar['mean']) == pytest.approx(mean / 2)
    # JSON row tables (pseudo-label stats)
    code, out, err = _collect(f'pl={tmp_path}/gt/seed*', '--table', 'pseudo_labels/*/stats.json',
                              '--columns', 'count', '--digits', '1')
    assert code == 0, err
    assert f'301.0 ± {statistics.stdev([300, 301, 302]):.1f}' in out


def test_refuses_runs_of_different_configs(tmp_path):
    _fake_run(str(tmp_path), 'gt', 0, 0.6)
    _fake_run(str(tmp_path), 'gt', 1, 0.6, lr=0.2)  # another config: must not be averaged
    code, out, err = _collect(f'GT={tmp_path}/gt/seed*', '--table', 'per_class_map.csv')
    assert code == 2 and 'refusing to average' in err and 'config' in err, err
    assert out == ''
    code, out, err = _collect(f'GT={tmp_path}/gt/seed*', '--table', 'per_class_map.csv',
                              '--allow-mixed')
    assert code == 0 and 'WARNING (--allow-mixed)' in out


def test_refuses_repeated_seed_and_missing_card(tmp_path):
    a = _fake_run(str(tmp_path), 'gt', 0, 0.6)
    code, _, err = _collect(f'GT={a}', f'GT={a}', '--table', 'per_class_map.csv')
    # the same dir twice is one run (deduplicated); a copy with the same seed is refused
    assert code == 0, err
    shutil.copytree(a, str(tmp_path / 'gt' / 'copy'))
    code, _, err = _collect(f'GT={tmp_path}/gt/*', '--table', 'per_class_map.csv')
    assert code == 2 and 'occur more than once' in err, err
    b = _fake_run(str(tmp_path), 'other', 1, 0.6)
    os.remove(osp.join(b, CARD_NAMES['train']))
    code, _, err = _collect(f'x={a}', f'x={b}', '--table', 'per_class_map.csv')
    assert code == 2 and 'missing' in err, err
    code, _, err = _collect('GT=/nonexistent/dir*', '--table', 'per_class_map.csv')
    assert code == 2 and 'no work dir matches' in err


def test_train_seeds_dry_run_commands(capsys):
    tool = load_tool(SEEDS_TOOL)
    tool.main(['configs/thermal/yolox_cpu_synthflir_8e.py', '--seeds', '0', '2',
               '--work-dir', 'w', '--resume', '--test', '--table-out', 't.csv',
               '--cfg-options', 'a.b=x/seed{seed}/y', '--dry-run'])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith('+ ')]
    assert len(lines) == 4
    assert 'train.py configs/thermal/yolox_cpu_synthflir_8e.py --work-dir w/seed2 --resume ' \
        '--cfg-options randomness.seed=2 a.b=x/seed2/y' in lines[2]
    assert lines[3].endswith('--table-out w/seed2/t.csv --cfg-options randomness.seed=2 '
                             'a.b=x/seed2/y')
    with pytest.raises(SystemExit):
        tool.parse_args(['c.py', '--seeds', '1', '1', '--work-dir', 'w'])


@pytest.mark.slow
def test_train_seeds_then_collect_end_to_end(tmp_path):
    """Two real seeds of the toy detector (subprocesses), tested, collected (~1 min)."""
    data = make_toy_flir(str(tmp_path / 'data'), train=4, val=2)
    cfg = write_toy_config(str(tmp_path / 'toy.py'), data, max_epochs=1)
    import subprocess
    import sys
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    rc = subprocess.call([sys.executable, SEEDS_TOOL, cfg, '--seeds', '0', '1', '--work-dir',
                          str(tmp_path / 'w'), '--test', '--table-out', 'per_class_map.csv'],
                         env=env)
    assert rc == 0
    code, out, err = _collect(f'toy={tmp_path}/w/seed*', '--table', 'per_class_map.csv',
                              '--metrics', 'coco/bbox_mAP')
    assert code == 0, err
    assert 'toy: 2 run(s), seeds 0, 1' in out
    assert not math.isnan(json.load(open(tmp_path / 'w' / 'seed1' / CARD_NAMES['test']))
                          ['metrics']['coco/bbox_mAP'])
