"""Two worker processes on one study finish --n-trials trials in total, numbers unique.

The default-suite test forks the two workers from the test process (already past the
~10 s import of mmext, so they start together); the slow tests run the real command twice.
"""
import multiprocessing
import os
import os.path as osp
import subprocess
import sys

import optuna
import pytest
from optuna.trial import TrialState

from mmext.hpo.search import SearchSettings, run_search
from tests._helpers.hpo_toy import REPO, write_toy_config, write_toy_space

TOOL = osp.join(REPO, 'tools', 'optuna_search.py')


def _start(args, log):
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    return subprocess.Popen([sys.executable, TOOL, *args], cwd=REPO, env=env, stdout=log,
                            stderr=subprocess.STDOUT)


def _two_workers(tmp_path, storage_args, n_trials):
    cfg = write_toy_config(str(tmp_path / 'toy.py'), max_epochs=1)
    space = write_toy_space(str(tmp_path / 'space.py'))
    work = str(tmp_path / 'work')
    args = [cfg, '--space', space, '--n-trials', str(n_trials), '--work-dir', work,
            '--study-name', 'par', '--pruner', 'none', *storage_args]
    logs = [open(tmp_path / f'worker{i}.log', 'w+') for i in range(2)]
    procs = [_start(args, log) for log in logs]
    codes = [p.wait(timeout=300) for p in procs]
    texts = []
    for log in logs:
        log.seek(0)
        texts.append(log.read())
        log.close()
    assert codes == [0, 0], '\n'.join(t[-3000:] for t in texts)
    return work, texts


def _check(study, work, n_trials):
    trials = study.trials
    numbers = [t.number for t in trials]
    assert sorted(numbers) == list(range(n_trials))  # N in total, none duplicated
    assert all(t.state == TrialState.COMPLETE for t in trials)
    for n in numbers:
        assert osp.isfile(osp.join(work, f'trial_{n}', 'epoch_1.pth'))
    workers = {t.user_attrs['worker'] for t in trials}
    assert len(workers) == 2, f'one worker ran every trial: {workers}'


def _worker(settings: SearchSettings) -> None:
    import torch
    torch.set_num_threads(1)
    run_search(settings)


def test_two_forked_workers_share_sqlite_study(tmp_path):
    cfg = write_toy_config(str(tmp_path / 'toy.py'), max_epochs=1)
    space = write_toy_space(str(tmp_path / 'space.py'))
    work = str(tmp_path / 'work')
    settings = SearchSettings(config=cfg, space=space, n_trials=4, work_dir=work,
                              study_name='par', pruner='none', write_outputs=False)
    ctx = multiprocessing.get_context('fork')
    procs = [ctx.Process(target=_worker, args=(settings, )) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0, 0]
    study = optuna.load_study(study_name='par', storage=f'sqlite:///{work}/study.db')
    _check(study, work, 4)
    assert {t.user_attrs['worker'].split(':')[1] for t in study.trials} == \
        {str(p.pid) for p in procs}


@pytest.mark.slow
def test_two_workers_share_sqlite_study(tmp_path):
    work, _ = _two_workers(tmp_path, [], n_trials=6)
    study = optuna.load_study(study_name='par', storage=f'sqlite:///{work}/study.db')
    _check(study, work, 6)
    assert osp.isfile(osp.join(work, 'best_config.py'))


@pytest.mark.slow
def test_two_workers_share_journal_study(tmp_path):
    journal = str(tmp_path / 'study.log')
    work, _ = _two_workers(tmp_path, ['--storage', f'journal://{journal}'], n_trials=6)
    from optuna.storages.journal import JournalFileBackend, JournalStorage
    study = optuna.load_study(study_name='par',
                              storage=JournalStorage(JournalFileBackend(journal)))
    _check(study, work, 6)
