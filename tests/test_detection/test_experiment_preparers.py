"""The pre-training step is reached through the registry of experiment preparers: the
pseudo-label chain registers itself, mmext.apis imports no family, and another step can be
added the same way."""
import ast
import glob
import os.path as osp

from mmengine.config import Config

from mmext.apis import prepare_experiment
from mmext.registry import EXPERIMENT_PREPARERS
from tests._helpers.tools import REPO


def test_pseudo_label_step_is_registered_by_its_family():
    from mmext.detection.pseudo_labels.prepare import prepare_pseudo_labels
    assert EXPERIMENT_PREPARERS.get('pseudo_labels') is prepare_pseudo_labels


def test_apis_import_no_family():
    families = ('mmext.detection', 'mmext.depth', 'mmext.selfsup', 'mmext.slots')
    for path in glob.glob(osp.join(REPO, 'mmext', 'apis', '*.py')):
        for node in ast.walk(ast.parse(open(path, encoding='utf-8').read())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ''] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.startswith(families) for n in names), (path, names)


def test_a_new_step_runs_when_its_field_is_set():
    calls = []

    def count_frames(cfg):
        calls.append(cfg.count_frames)
        cfg.counted = True
        return 42

    EXPERIMENT_PREPARERS.register_module(name='count_frames', module=count_frames)
    try:
        assert prepare_experiment(Config(dict(launcher='none'))) == {}
        cfg = Config(dict(launcher='none', count_frames=dict(every=2)))
        assert prepare_experiment(cfg) == {'count_frames': 42}
        assert calls == [dict(every=2)] and cfg.counted
    finally:
        EXPERIMENT_PREPARERS.module_dict.pop('count_frames')
