"""End-to-end searches on the toy task (CPU, ~1 s per trial) through tools/optuna_search.py."""
import csv
import glob
import importlib.util
import os.path as osp

import optuna
import pytest
from optuna.trial import TrialState

from mmext.apis import build_runner, configure_train, load_config
from mmext.hpo.search import SearchSettings, create_study, prepare, run_search
from tests._helpers.hpo_toy import REPO, write_toy_config, write_toy_space

LR = 'optim_wrapper.optimizer.lr'


def _tool():
    spec = importlib.util.spec_from_file_location(
        'optuna_search_tool', osp.join(REPO, 'tools', 'optuna_search.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load(work_dir, name):
    return optuna.load_study(study_name=name, storage=f'sqlite:///{work_dir}/study.db')


def test_three_trial_search_writes_outputs(tmp_path, capsys):
    cfg = write_toy_config(str(tmp_path / 'toy.py'), max_epochs=2)
    space = write_toy_space(str(tmp_path / 'space.py'))
    work = str(tmp_path / 'work')
    _tool().main([cfg, '--space', space, '--n-trials', '3', '--work-dir', work,
                  '--sampler', 'random', '--seed', '0', '--study-name', 'toy'])
    out = capsys.readouterr().out

    study = _load(work, 'toy')
    trials = study.trials
    assert [t.number for t in trials] == [0, 1, 2]
    assert all(t.state == TrialState.COMPLETE for t in trials)
    for t in trials:
        # every trial trained in its own work dir and reported each epoch's validation
        assert osp.isfile(osp.join(work, f'trial_{t.number}', 'epoch_2.pth'))
        assert sorted(t.intermediate_values) == [1, 2]
        assert t.value == max(t.intermediate_values.values())
    values = {t.number: t.value for t in trials}
    lrs = {t.number: t.params[LR] for t in trials}
    assert len(set(lrs.values())) == 3  # different samples

    # trials.csv: one row per trial, values and params as in the study
    with open(osp.join(work, 'trials.csv')) as f:
        rows = list(csv.DictReader(f))
    assert [int(r['number']) for r in rows] == [0, 1, 2]
    for r in rows:
        assert r['state'] == 'COMPLETE'
        assert float(r['value']) == pytest.approx(values[int(r['number'])])
        assert float(r[f'params_{LR}']) == pytest.approx(lrs[int(r['number'])])

    # best_config.py: the best trial's lr, loadable and trainable like any config
    best = study.best_trial
    assert best.value == max(values.values())
    best_cfg_path = osp.join(work, 'best_config.py')
    cfg_best = load_config(best_cfg_path)
    assert cfg_best.optim_wrapper.optimizer.lr == pytest.approx(best.params[LR])
    assert cfg_best.train_cfg.max_epochs == 2
    configure_train(cfg_best, best_cfg_path, work_dir=str(tmp_path / 'rerun'))
    build_runner(cfg_best).train()
    assert osp.isfile(str(tmp_path / 'rerun' / 'epoch_2.pth'))

    for name in ('optimization_history', 'param_importances', 'parallel_coordinate'):
        with open(osp.join(work, f'{name}.png'), 'rb') as f:
            head = f.read(8)
        assert head == b'\x89PNG\r\n\x1a\n', name
        assert osp.getsize(osp.join(work, f'{name}.png')) > 5000

    assert "optuna study 'toy': toy/neg_mse (maximize)" in out
    assert '3 trials (3 COMPLETE); * = best' in out
    assert f'best: trial {best.number}' in out


def test_bad_trial_is_pruned_and_stops_early(tmp_path):
    cfg = write_toy_config(str(tmp_path / 'toy.py'), max_epochs=4, ckpt_interval=1)
    space = write_toy_space(str(tmp_path / 'space.py'))
    settings = SearchSettings(config=cfg, space=space, n_trials=3,
                              work_dir=str(tmp_path / 'work'), study_name='prune',
                              pruner='median:n_startup_trials=2,n_warmup_steps=0')
    study, _ = create_study(prepare(settings))
    for lr in (0.2, 0.2, 1e-6):  # two good trials, then a hopeless one
        study.enqueue_trial({LR: lr})
    run_search(settings)

    trials = _load(settings.work_dir, 'prune').trials
    assert [t.state for t in trials] == [TrialState.COMPLETE, TrialState.COMPLETE,
                                         TrialState.PRUNED]
    good, bad = trials[0], trials[2]
    assert sorted(good.intermediate_values) == [1, 2, 3, 4]
    # pruned at its first validation: reported once, worse than the good trials there
    assert sorted(bad.intermediate_values) == [1]
    assert bad.intermediate_values[1] < good.intermediate_values[1]
    # ... and training really stopped: only the first epoch's checkpoint exists
    ckpts = sorted(osp.basename(p) for p in glob.glob(
        osp.join(settings.work_dir, 'trial_2', 'epoch_*.pth')))
    assert ckpts == ['epoch_1.pth']
    assert osp.isfile(osp.join(settings.work_dir, 'trial_0', 'epoch_4.pth'))


def test_crashed_trial_is_fail_and_search_goes_on(tmp_path, caplog):
    cfg = write_toy_config(str(tmp_path / 'toy.py'), max_epochs=1)
    space = write_toy_space(str(tmp_path / 'space.py'), extra_entries=(
        "    'model.explode': dict(type='categorical', choices=[False, True]),"))
    settings = SearchSettings(config=cfg, space=space, n_trials=3,
                              work_dir=str(tmp_path / 'work'), study_name='crash')
    study, _ = create_study(prepare(settings))
    for explode in (False, True, False):
        study.enqueue_trial({LR: 0.1, 'model.explode': explode})
    run_search(settings)
    err = caplog.text  # optuna's log (its handler prints it to stderr outside pytest)

    trials = _load(settings.work_dir, 'crash').trials
    assert [t.state for t in trials] == [TrialState.COMPLETE, TrialState.FAIL,
                                         TrialState.COMPLETE]
    assert 'toy model exploded' in trials[1].user_attrs['error']
    with open(osp.join(settings.work_dir, 'trial_1', 'error.txt')) as f:
        assert 'RuntimeError: toy model exploded' in f.read()
    assert 'Trial 1 failed' in err and 'toy model exploded' in err
    with open(osp.join(settings.work_dir, 'trials.csv')) as f:
        rows = list(csv.DictReader(f))
    assert rows[1]['state'] == 'FAIL' and 'toy model exploded' in rows[1]['error']


def test_interrupt_then_rerun_resumes(tmp_path):
    marker = str(tmp_path / 'interrupted.marker')
    cfg = write_toy_config(
        str(tmp_path / 'toy.py'), max_epochs=1,
        extra=("custom_hooks = [dict(type='HpoToyInterruptHook', trial_dir_name='trial_1', "
               f"marker={marker!r})]\n"))
    space = write_toy_space(str(tmp_path / 'space.py'))
    work = str(tmp_path / 'work')
    argv = [cfg, '--space', space, '--n-trials', '3', '--work-dir', work,
            '--study-name', 'resume']
    tool = _tool()
    with pytest.raises(SystemExit) as stop:  # Ctrl-C during trial 1
        tool.main(argv)
    assert stop.value.code == 130
    first = _load(work, 'resume').trials
    assert [(t.number, t.state) for t in first] == [(0, TrialState.COMPLETE),
                                                    (1, TrialState.FAIL)]
    assert first[1].user_attrs['interrupted'] is True
    trial0_logs = glob.glob(osp.join(work, 'trial_0', '2*'))

    tool.main(argv)  # the same command again
    trials = _load(work, 'resume').trials
    assert [(t.number, t.state) for t in trials] == [
        (0, TrialState.COMPLETE), (1, TrialState.FAIL), (2, TrialState.COMPLETE),
        (3, TrialState.COMPLETE)]
    # trial 0 was not trained again; the new trials have their own work dirs
    assert glob.glob(osp.join(work, 'trial_0', '2*')) == trial0_logs
    assert osp.isfile(osp.join(work, 'trial_3', 'epoch_1.pth'))
    # a third run has nothing left to do
    tool.main(argv)
    assert len(_load(work, 'resume').trials) == 4


@pytest.mark.slow
def test_ctrl_c_on_the_real_command_then_resume(tmp_path):
    """SIGINT to tools/optuna_search.py during trial 1, then the same command again."""
    import os
    import signal
    import subprocess
    import sys
    import time

    cfg = write_toy_config(str(tmp_path / 'toy.py'), max_epochs=30)  # ~3 s per trial
    space = write_toy_space(str(tmp_path / 'space.py'))
    work = str(tmp_path / 'work')
    cmd = [sys.executable, osp.join(REPO, 'tools', 'optuna_search.py'), cfg, '--space', space,
           '--n-trials', '3', '--work-dir', work, '--study-name', 'sig', '--pruner', 'none']
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while not osp.isdir(osp.join(work, 'trial_1')) and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)  # inside trial 1's training
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-3000:]
    assert 're-run the same command to resume' in err
    assert 'trials (1 COMPLETE, 1 FAIL)' in out  # outputs written on the way out
    trials = _load(work, 'sig').trials
    assert [t.state for t in trials] == [TrialState.COMPLETE, TrialState.FAIL]
    assert trials[1].user_attrs['interrupted'] is True

    again = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    trials = _load(work, 'sig').trials
    assert [t.number for t in trials] == [0, 1, 2, 3]
    assert [t.state for t in trials[2:]] == [TrialState.COMPLETE, TrialState.COMPLETE]
