"""--storage parsing, sampler/pruner specs, and refusing a study made for another search."""
import optuna
import pytest

from mmext.hpo.algorithms import build_pruner, build_sampler
from mmext.hpo.search import SearchSettings, create_study, prepare
from mmext.hpo.storage import build_storage, resolve_storage
from mmext.utils.errors import UserInputError
from tests._helpers.hpo_toy import write_toy_config, write_toy_space


def test_resolve_storage_variants(tmp_path):
    work = str(tmp_path / 'work')
    spec = resolve_storage(None, work)
    assert spec.kind == 'sqlite' and spec.url == f'sqlite:///{tmp_path}/work/study.db'
    assert spec.lock_path == f'{tmp_path}/work/study.db.mmext-lock'

    journal = resolve_storage(f'journal://{tmp_path}/j.log', work)
    assert journal.kind == 'journal' and journal.local_path == f'{tmp_path}/j.log'
    assert resolve_storage(f'{tmp_path}/k.log', work).kind == 'journal'

    pg = resolve_storage('postgresql://u:p@db.lab:5432/optuna', work)
    assert pg.kind == 'rdb' and pg.lock_path is None

    with pytest.raises(UserInputError, match="folder .*nope' does not exist"):
        resolve_storage(f'journal://{tmp_path}/nope/j.log', work)
    with pytest.raises(UserInputError, match='neither a URL nor a .log journal file'):
        resolve_storage('study.db', work)


def test_journal_storage_round_trip(tmp_path):
    spec = resolve_storage(f'journal://{tmp_path}/study.log', str(tmp_path))
    study = optuna.create_study(storage=build_storage(spec), study_name='s')
    study.optimize(lambda t: t.suggest_float('x', 0, 1), n_trials=2)
    again = optuna.load_study(storage=build_storage(spec), study_name='s')
    assert [t.number for t in again.trials] == [0, 1]


def test_sampler_and_pruner_specs():
    # seeded samplers are re-created per trial (PerTrialSeedSampler) around the named one
    assert isinstance(build_sampler('random:seed=3').inner, optuna.samplers.RandomSampler)
    assert isinstance(build_sampler('tpe', seed=1).inner, optuna.samplers.TPESampler)
    assert isinstance(build_sampler('tpe'), optuna.samplers.TPESampler)
    pruner = build_pruner('median:n_startup_trials=2,n_warmup_steps=1')
    assert isinstance(pruner, optuna.pruners.MedianPruner)
    assert pruner._n_startup_trials == 2 and pruner._n_warmup_steps == 1
    assert isinstance(build_pruner('none'), optuna.pruners.NopPruner)
    with pytest.raises(UserInputError, match="--pruner 'medain': unknown name"):
        build_pruner('medain')
    with pytest.raises(UserInputError, match='rejected the arguments'):
        build_pruner('median:bogus=1')


def _settings(tmp_path, cfg, space, **kw):
    return SearchSettings(config=cfg, space=space, work_dir=str(tmp_path / 'work'), **kw)


def test_changed_config_or_space_is_refused(tmp_path):
    cfg = write_toy_config(str(tmp_path / 'toy.py'), max_epochs=1)
    space = write_toy_space(str(tmp_path / 'space.py'))
    study, _ = create_study(prepare(_settings(tmp_path, cfg, space)))
    assert study.user_attrs['mmext_metric'] == 'toy/neg_mse'
    study.tell(study.ask(), 0.0)  # a completed trial: from now on changes are refused
    # same inputs: resumed, not refused
    again, _ = create_study(prepare(_settings(tmp_path, cfg, space)))
    assert again.user_attrs == study.user_attrs

    write_toy_config(cfg, max_epochs=2)  # the config changed
    with pytest.raises(UserInputError) as err:
        create_study(prepare(_settings(tmp_path, cfg, space)))
    msg = str(err.value)
    assert 'was created for a different config' in msg and 'config hash' in msg
    assert '--study-name' in msg and 'study.db' in msg

    write_toy_config(cfg, max_epochs=1)  # back to the original config: accepted again
    create_study(prepare(_settings(tmp_path, cfg, space)))
    # a fixed --cfg-options override changes the merged config too
    with pytest.raises(UserInputError, match='different config'):
        create_study(prepare(_settings(tmp_path, cfg, space,
                                       cfg_options={'train_cfg.max_epochs': 5})))
    write_toy_space(space, extra_entries="    'model.hidden': dict(type='int', low=1, "
                    "high=4),")
    with pytest.raises(UserInputError, match='different search space'):
        create_study(prepare(_settings(tmp_path, cfg, space)))


def test_metric_and_direction_mismatch_refused(tmp_path):
    cfg = write_toy_config(str(tmp_path / 'toy.py'), max_epochs=1)
    space = write_toy_space(str(tmp_path / 'space.py'))
    study, _ = create_study(prepare(_settings(tmp_path, cfg, space)))
    study.tell(study.ask(), 0.0)  # a completed trial: from now on changes are refused
    with pytest.raises(UserInputError, match="optimises metric 'toy/neg_mse'"):
        create_study(prepare(_settings(tmp_path, cfg, space, metric='toy/other')))
    with pytest.raises(UserInputError, match='--direction maximize, not minimize'):
        create_study(prepare(_settings(tmp_path, cfg, space, direction='minimize')))


def test_missing_metric_and_validation_are_user_errors(tmp_path):
    cfg = write_toy_config(str(tmp_path / 'toy.py'))
    space = write_toy_space(str(tmp_path / 'space.py'), metric=None)
    with pytest.raises(UserInputError, match='no metric to optimise: give --metric'):
        prepare(_settings(tmp_path, cfg, space))
    noval = write_toy_config(str(tmp_path / 'noval.py'), extra='val_cfg = None\n')
    with pytest.raises(UserInputError, match=r"noval.py cannot be searched: it has no "
                       r"\['val_cfg'\]"):
        prepare(_settings(tmp_path, noval, space, metric='toy/neg_mse'))


def test_missing_data_is_reported_before_any_trial(tmp_path):
    cfg = write_toy_config(str(tmp_path / 'toy.py'))
    space = write_toy_space(str(tmp_path / 'space.py'))
    missing = str(tmp_path / 'no_data')
    with pytest.raises(UserInputError, match=f"data root of train_dataloader .*{missing}"):
        prepare(_settings(tmp_path, cfg, space,
                          cfg_options={'train_dataloader.dataset.data_root': missing}))
    assert not (tmp_path / 'work' / 'study.db').exists()
