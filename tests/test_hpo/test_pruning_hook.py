"""OptunaPruningHook: registered, usable from a config, steps, bad metric, DDP decision."""
import importlib.util
import os
import os.path as osp
import subprocess
import sys

import optuna
import pytest
import torch
from optuna.trial import TrialState

from mmext.apis import build_runner, configure_train, load_config, run_cli
from mmext.hpo import OptunaPruningHook
from mmext.hpo.search import SearchSettings, create_study, prepare
from mmext.registry import HOOKS
from tests._helpers.hpo_toy import REPO, write_toy_config, write_toy_space


def test_registered_in_mmext_hooks():
    assert HOOKS.get('OptunaPruningHook') is OptunaPruningHook


def test_frozen_trial_is_refused():
    study = optuna.create_study()
    study.optimize(lambda t: t.suggest_float('x', 0, 1), n_trials=1)
    with pytest.raises(TypeError, match='needs an optuna.trial.Trial'):
        OptunaPruningHook('acc', trial=study.trials[0])


def test_hook_from_config_reports_iterations(tmp_path):
    """A config-built hook opens the trial from the storage and reports iters as steps."""
    url = f'sqlite:///{tmp_path}/s.db'
    study = optuna.create_study(storage=url, study_name='s', direction='maximize')
    trial = study.ask()
    cfg_path = write_toy_config(
        str(tmp_path / 'iter.py'),
        extra=("train_cfg = dict(type='IterBasedTrainLoop', max_iters=4, "
               "val_interval=2)\n"
               "custom_hooks = [dict(type='OptunaPruningHook', metric='toy/neg_mse', "
               f"storage={url!r}, study_name='s', trial_number={trial.number})]\n"))
    cfg = load_config(cfg_path)
    configure_train(cfg, cfg_path, work_dir=str(tmp_path / 'w'))
    build_runner(cfg).train()
    reported = optuna.load_study(study_name='s', storage=url).trials[0].intermediate_values
    assert sorted(reported) == [2, 4]
    assert reported[4] > reported[2]  # training improved the toy fit


def test_unknown_metric_stops_search_with_one_line(tmp_path, capsys):
    cfg = write_toy_config(str(tmp_path / 'toy.py'), max_epochs=1)
    space = write_toy_space(str(tmp_path / 'space.py'))
    spec = importlib.util.spec_from_file_location(
        'optuna_search_tool', osp.join(REPO, 'tools', 'optuna_search.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    argv = [cfg, '--space', space, '--metric', 'toy/nmse', '--n-trials', '3',
            '--work-dir', str(tmp_path / 'w'), '--study-name', 'm']
    with pytest.raises(SystemExit) as stop:
        run_cli(lambda: tool.main(argv))
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("error: --metric 'toy/nmse' is not a validation metric")
    assert "['toy/neg_mse']" in err
    trials = optuna.load_study(study_name='m',
                               storage=f'sqlite:///{tmp_path}/w/study.db').trials
    assert len(trials) == 1 and trials[0].state == TrialState.FAIL  # no 3 doomed trials


@pytest.mark.slow
def test_ddp_two_ranks_prune_together(tmp_path):
    """torchrun, 2 CPU ranks: rank 0 reports, both ranks stop at the pruned epoch."""
    dump = str(tmp_path / 'ranks')
    cfg = write_toy_config(
        str(tmp_path / 'toy.py'), max_epochs=4,
        extra=f"custom_hooks = [dict(type='HpoToyRankHook', out_dir={dump!r})]\n")
    space = write_toy_space(str(tmp_path / 'space.py'))
    work = str(tmp_path / 'work')
    pruner = 'median:n_startup_trials=2,n_warmup_steps=0'
    settings = SearchSettings(config=cfg, space=space, n_trials=3, work_dir=work,
                              study_name='ddp', pruner=pruner)
    study, _ = create_study(prepare(settings))
    for lr in (0.2, 0.2, 1e-6):
        study.enqueue_trial({'optim_wrapper.optimizer.lr': lr})
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    proc = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
         '--master_port=29531', osp.join(REPO, 'tools', 'optuna_search.py'), cfg,
         '--space', space, '--n-trials', '3', '--work-dir', work, '--study-name', 'ddp',
         '--pruner', pruner, '--launcher', 'pytorch'],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    trials = optuna.load_study(study_name='ddp', storage=f'sqlite:///{work}/study.db').trials
    assert [t.state for t in trials] == [TrialState.COMPLETE, TrialState.COMPLETE,
                                         TrialState.PRUNED]
    assert sorted(trials[0].intermediate_values) == [1, 2, 3, 4]
    # the last trial (the pruned one) stopped after epoch 1 on both ranks: 32 samples,
    # batch 16 per rank -> 1 iteration per epoch per rank
    ranks = [torch.load(osp.join(dump, f'rank{r}.pt')) for r in (0, 1)]
    assert [r['world_size'] for r in ranks] == [2, 2]
    assert all(r['work_dir'].endswith('trial_2') for r in ranks)
    assert [r['iters'] for r in ranks] == [1, 1]


def test_pre_training_validation_does_not_score_the_trial():
    """A step-0 validation (EvaluateBeforeTrainHook) is reported but not the trial's value."""
    hook = OptunaPruningHook('m')
    hook.history = [(0, 5.0), (1, 2.0), (2, 3.0)]
    assert hook.best('maximize') == 3.0 and hook.best('minimize') == 2.0
    hook.history = [(0, 5.0)]
    assert hook.best('maximize') == 5.0
    hook.history = [(1, float('nan')), (2, 1.0)]
    assert hook.best('minimize') == 1.0
