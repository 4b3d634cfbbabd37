"""Search-space files: loading, validation messages, sampling (incl. conditional entries)."""
import optuna
import pytest
from mmengine.config import Config

from mmext.hpo.space import load_space
from mmext.utils.errors import UserInputError

SPACE = """
space = {
    'optim_wrapper.optimizer.lr': dict(type='log-float', low=1e-4, high=1e-1),
    'optim_wrapper.optimizer.weight_decay': dict(type='float', low=0.0, high=0.1, step=0.01),
    'model.num_slots': dict(type='int', low=3, high=7),
    'model.loss': dict(type='categorical',
                       choices=[dict(type='L1Loss'), dict(type='SmoothL1Loss', beta=1.0)]),
    'model.kind': dict(type='categorical', choices=['a', 'b']),
    'model.b_only': dict(type='float', low=0.1, high=0.9, condition={'model.kind': 'b'}),
    'model.size': dict(type='categorical', choices=[(32, 32), (64, 64)]),
}
metric = 'acc/top1'
direction = 'maximize'
cfg_options = {'train_cfg.max_epochs': 3}
"""


def _write(tmp_path, text, name='space.py'):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_load_and_sample_all_types(tmp_path):
    space = load_space(_write(tmp_path, SPACE))
    assert [p.key for p in space.params][:2] == ['optim_wrapper.optimizer.lr',
                                                 'optim_wrapper.optimizer.weight_decay']
    lr = space.params[0]
    assert lr.type == 'float' and lr.log is True
    assert space.metric == 'acc/top1' and space.direction == 'maximize'
    assert space.cfg_options == {'train_cfg.max_epochs': 3}

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    seen_kinds = set()
    for _ in range(30):
        trial = study.ask()
        values = space.sample(trial)
        assert 1e-4 <= values['optim_wrapper.optimizer.lr'] <= 1e-1
        wd = values['optim_wrapper.optimizer.weight_decay']
        assert abs(wd * 100 - round(wd * 100)) < 1e-9  # on the 0.01 grid
        assert values['model.num_slots'] in range(3, 8)
        assert values['model.loss'] in (dict(type='L1Loss'),
                                        dict(type='SmoothL1Loss', beta=1.0))
        assert values['model.size'] in ((32, 32), (64, 64))
        assert isinstance(values['model.size'], tuple)
        # conditional entry present exactly when its condition holds
        assert ('model.b_only' in values) == (values['model.kind'] == 'b')
        seen_kinds.add(values['model.kind'])
        study.tell(trial, 0.0)
        # the stored params decode back to the same config values
        assert space.decode_params(study.trials[-1].params) == values
    assert seen_kinds == {'a', 'b'}


@pytest.mark.parametrize('entry, needle', [
    ("'a.b': dict(type='uniform', low=0, high=1)", '"type" must be one of'),
    ("'a.b': dict(type='float', low=1, high=0)", 'must be smaller than "high"'),
    ("'a.b': dict(type='float', low=0, high=1, log=True)", 'needs low > 0'),
    ("'a.b': dict(type='float', low=0)", 'missing "high"'),
    ("'a.b': dict(type='int', low=0.5, high=3)", '"low" must be an integer'),
    ("'a.b': dict(type='categorical', choices=[])", '"choices" must be a non-empty list'),
    ("'a.b': dict(type='float', low=0, high=1, lowe=3)", "unknown field(s) ['lowe']"),
    ("'a.b': dict(type='float', low=0, high=1, condition={'a.c': 1})",
     "condition refers to 'a.c'"),
    ("'a..b': dict(type='float', low=0, high=1)", 'keys must be dotted config keys'),
    ("'a.b': 0.5", 'expected a dict'),
])
def test_bad_entries_name_file_and_key(tmp_path, entry, needle):
    path = _write(tmp_path, 'space = {\n    %s,\n}\n' % entry)
    with pytest.raises(UserInputError) as err:
        load_space(path)
    assert path in str(err.value) and needle in str(err.value)
    if "'a.b'" in entry:
        assert "'a.b'" in str(err.value)


def test_condition_value_must_be_a_choice(tmp_path):
    path = _write(tmp_path, """space = {
    'm.kind': dict(type='categorical', choices=['a', 'b']),
    'm.x': dict(type='float', low=0, high=1, condition={'m.kind': 'c'}),
}""")
    with pytest.raises(UserInputError, match=r"condition value\(s\) \['c'\]"):
        load_space(path)


def test_missing_or_empty_space_file(tmp_path):
    with pytest.raises(UserInputError, match='search-space file .* not found'):
        load_space(str(tmp_path / 'absent.py'))
    path = _write(tmp_path, 'spaces = {}\n')
    with pytest.raises(UserInputError, match="must define a non-empty dict named 'space'"):
        load_space(path)
    path = _write(tmp_path, 'space = {\n', 'broken.py')
    with pytest.raises(UserInputError, match='could not be loaded'):
        load_space(path)


def test_keys_checked_against_config(tmp_path):
    cfg = Config(dict(optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
                      param_scheduler=[dict(type='LinearLR', end=3)]))
    ok = load_space(_write(tmp_path, """space = {
    'optim_wrapper.optimizer.lr': dict(type='float', low=0.01, high=1),
    'optim_wrapper.optimizer.momentum': dict(type='float', low=0.5, high=0.99),
    'param_scheduler.0.end': dict(type='int', low=1, high=5),
}"""))
    ok.check_against_config(cfg, 'cfg.py')  # a new leaf (momentum) is allowed

    typo = load_space(_write(tmp_path, """space = {
    'optim_wrapper.optimiser.lr': dict(type='float', low=0.01, high=1),
}""", 'typo.py'))
    with pytest.raises(UserInputError) as err:
        typo.check_against_config(cfg, 'cfg.py')
    msg = str(err.value)
    assert 'typo.py' in msg and "'optim_wrapper.optimiser.lr'" in msg
    assert "'optim_wrapper' has no field 'optimiser'" in msg and 'cfg.py' in msg


def test_dict_choice_with_delete_replaces_the_section_every_time(tmp_path):
    """A dict choice with ``_delete_=True`` replaces the config section in every trial."""
    from mmext.apis import load_config
    cfg_path = _write(tmp_path, "model = dict(loss=dict(type='CE', use_sigmoid=True))\n",
                      'cfg.py')
    space = load_space(_write(tmp_path, """space = {
    'model.loss': dict(type='categorical', choices=[
        dict(_delete_=True, type='Focal', gamma=2.0), dict(type='CE', use_sigmoid=False)]),
}"""))
    study = optuna.create_study()
    for _ in range(2):
        study.enqueue_trial({'model.loss': space.params[0].encoded_choices[0]})
        trial = study.ask()
        cfg = load_config(cfg_path, space.sample(trial))
        assert cfg.model.loss.to_dict() == dict(type='Focal', gamma=2.0)
        study.tell(trial, 0.0)
