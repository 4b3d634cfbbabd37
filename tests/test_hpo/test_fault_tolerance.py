"""Searches that survive kill -9, seeds that never replay parameters, and a wrong --metric
that does not poison the study (issue 17, items 1, 2 and 4)."""
import multiprocessing
import os
import os.path as osp
import signal
import time

import optuna
import pytest
from optuna.trial import TrialState

from mmext.hpo.algorithms import build_sampler
from mmext.hpo.liveness import abandoned_numbers, worker_info, worker_is_dead
from mmext.hpo.search import SearchSettings, run_search
from mmext.hpo.storage import redact_url, resolve_storage
from mmext.hpo.study import counted_trials
from tests._helpers.hpo_toy import write_toy_config, write_toy_space

LR = 'optim_wrapper.optimizer.lr'


def _worker(settings: SearchSettings) -> None:
    import torch
    torch.set_num_threads(1)
    run_search(settings)


def _load(settings: SearchSettings):
    spec = resolve_storage(settings.storage, settings.work_dir)
    from mmext.hpo.storage import build_storage
    return optuna.load_study(study_name=settings.study_name, storage=build_storage(spec))


def kill_mid_trial_and_rerun(tmp_path, storage=None):
    """Fork a worker, kill -9 it inside trial 1, re-run in this process; return the study."""
    marker = str(tmp_path / 'hang.marker')
    cfg = write_toy_config(
        str(tmp_path / 'toy.py'), max_epochs=1,
        extra=("custom_hooks = [dict(type='HpoToyHangHook', trial_dir_name='trial_1', "
               f"marker={marker!r})]\n"))
    space = write_toy_space(str(tmp_path / 'space.py'))
    settings = SearchSettings(config=cfg, space=space, n_trials=3, storage=storage,
                              work_dir=str(tmp_path / 'work'), study_name='kill',
                              pruner='none', sampler='random', seed=0, write_outputs=False)
    proc = multiprocessing.get_context('fork').Process(target=_worker, args=(settings, ))
    proc.start()
    deadline = time.time() + 120
    while not osp.exists(marker) and time.time() < deadline and proc.is_alive():
        time.sleep(0.1)
    assert osp.exists(marker), 'the worker never reached trial 1'
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(timeout=30)
    states = [t.state for t in _load(settings).trials]
    assert states == [TrialState.COMPLETE, TrialState.RUNNING]  # what kill -9 leaves
    run_search(settings)  # the same command again
    return _load(settings)


@pytest.mark.parametrize('storage', [None, pytest.param('journal', marks=pytest.mark.slow)])
def test_kill_9_then_same_command_completes_n_trials(tmp_path, storage):
    if storage == 'journal':
        storage = f'journal://{tmp_path}/study.log'
    study = kill_mid_trial_and_rerun(tmp_path, storage)
    trials = study.trials
    assert [t.state for t in trials] == [TrialState.COMPLETE, TrialState.FAIL,
                                         TrialState.COMPLETE, TrialState.COMPLETE]
    assert abandoned_numbers(study) == {1}
    assert counted_trials(study) == 3
    # seeded sampler, resumed study: no trial replays another's parameters
    lrs = [t.params[LR] for t in trials]
    assert len(set(lrs)) == 4, lrs


def test_worker_liveness(tmp_path):
    me = worker_info()
    assert not worker_is_dead(me)
    proc = multiprocessing.get_context('fork').Process(target=time.sleep, args=(0, ))
    proc.start()
    proc.join()
    gone = dict(me, pid=proc.pid)
    assert worker_is_dead(gone)
    assert not worker_is_dead(dict(gone, host='another-machine'))  # heartbeat decides
    assert not worker_is_dead(dict(gone, boot='another-boot'))
    assert not worker_is_dead(None)


def _objective(trial):
    return trial.suggest_float('x', 0.0, 1.0) + trial.suggest_int('k', 0, 1000)


@pytest.mark.parametrize('name', ['random', 'tpe:n_startup_trials=2'])
def test_seed_is_per_trial(name):
    def params(study):
        return [(t.params['x'], t.params['k']) for t in study.trials]

    a = optuna.create_study(sampler=build_sampler(name, 0))
    a.optimize(_objective, n_trials=4)
    b = optuna.create_study(sampler=build_sampler(name, 0))
    b.optimize(_objective, n_trials=4)
    assert params(a) == params(b)  # one uninterrupted worker: reproducible
    assert len(set(params(a))) == 4

    # "resume": a new process (new sampler, same seed) continues study c
    storage = optuna.storages.InMemoryStorage()
    c = optuna.create_study(storage=storage, study_name='c', sampler=build_sampler(name, 0))
    c.optimize(_objective, n_trials=2)
    c2 = optuna.load_study(study_name='c', storage=storage, sampler=build_sampler(name, 0))
    c2.optimize(_objective, n_trials=2)
    assert params(c2) == params(a)  # trial k gets the seed of trial k, never trial 0's again

    # two workers with one seed on one study, interleaved
    d = optuna.create_study(storage=storage, study_name='d', sampler=build_sampler(name, 0))
    d2 = optuna.load_study(study_name='d', storage=storage, sampler=build_sampler(name, 0))
    for _ in range(2):
        d.optimize(_objective, n_trials=1)
        d2.optimize(_objective, n_trials=1)
    assert len(set(params(d))) == 4


def test_wrong_metric_does_not_poison_the_study(tmp_path):
    cfg = write_toy_config(str(tmp_path / 'toy.py'), max_epochs=1)
    space = write_toy_space(str(tmp_path / 'space.py'))
    settings = SearchSettings(config=cfg, space=space, n_trials=2,
                              work_dir=str(tmp_path / 'work'), study_name='m',
                              metric='toy/not_logged', pruner='none', write_outputs=False)
    from mmext.utils.errors import UserInputError
    with pytest.raises(UserInputError, match='not_logged'):
        run_search(settings)
    settings.metric = 'toy/neg_mse'
    study = run_search(settings)  # the corrected command is accepted
    assert study.user_attrs['mmext_metric'] == 'toy/neg_mse'
    states = [t.state for t in study.trials]
    assert states == [TrialState.FAIL, TrialState.COMPLETE, TrialState.COMPLETE]
    assert counted_trials(study) == 2
    # once a trial completed, a different metric is refused again
    settings.metric = 'toy/not_logged'
    with pytest.raises(UserInputError, match="optimises metric 'toy/neg_mse'"):
        run_search(settings)


def test_urls_never_show_passwords():
    assert redact_url('postgresql+psycopg://mmext:s3cret@127.0.0.1:5432/db') == \
        'postgresql+psycopg://mmext:***@127.0.0.1:5432/db'
    assert redact_url('sqlite:////tmp/x.db') == 'sqlite:////tmp/x.db'
    assert redact_url('postgresql://user@host/db') == 'postgresql://user@host/db'


def test_heartbeat_fails_a_remote_dead_worker(tmp_path, monkeypatch):
    """A worker on another machine (the process check cannot see it) is failed by optuna's
    heartbeat after the grace period, before the budget check, and not counted."""
    from mmext.hpo import storage as storage_module
    from mmext.hpo.liveness import ATTR_WORKER_INFO, fail_abandoned_trials
    monkeypatch.setattr(storage_module, 'HEARTBEAT_INTERVAL_S', 1)
    monkeypatch.setattr(storage_module, 'GRACE_PERIOD_S', 1)
    spec = resolve_storage(None, str(tmp_path))
    study = optuna.create_study(storage=storage_module.build_storage(spec), study_name='hb')
    trial = study.ask()
    trial.set_user_attr(ATTR_WORKER_INFO, dict(worker_info(), host='another-machine'))
    study._storage.record_heartbeat(trial._trial_id)
    assert fail_abandoned_trials(study) == [] and study.trials[0].state == TrialState.RUNNING
    time.sleep(2.5)  # no heartbeat for longer than the grace period
    fail_abandoned_trials(study)
    assert study.trials[0].state == TrialState.FAIL
    assert abandoned_numbers(study) == {0} and counted_trials(study) == 0
