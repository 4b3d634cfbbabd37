"""mmext registries are children of mmdet's and register everything on import."""
import subprocess
import sys

from mmdet.registry import MODELS as MMDET_MODELS

import mmext  # noqa: F401
from mmext import registry

REPO = __file__.rsplit('/tests/', 1)[0]


def test_children_of_mmdet():
    assert registry.MODELS.parent is MMDET_MODELS
    assert registry.MODELS.scope == 'mmext'
    for name in registry.__all__:
        reg = getattr(registry, name)
        assert reg.parent is not None and reg.parent.scope == 'mmdet', name


def test_mmdet_names_resolve_unprefixed():
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmext'):
        assert registry.MODELS.get('YOLOX').__name__ == 'YOLOX'
        assert registry.METRICS.get('CocoMetric').__name__ == 'CocoMetric'
        assert registry.TRANSFORMS.get('Mosaic').__name__ == 'Mosaic'


def test_mmext_names_registered():
    assert registry.DATASETS.get('FLIRDataset').__module__.startswith('mmext.')
    assert registry.METRICS.get('CocoClasswiseMetric').__module__.startswith('mmext.')
    assert registry.HOOKS.get('RNGStateHook').__module__.startswith('mmext.')


def test_custom_imports_registers_from_a_config(tmp_path):
    cfg = tmp_path / 'cfg.py'
    cfg.write_text("custom_imports = dict(imports=['mmext'], allow_failed_imports=False)\n"
                   "default_scope = 'mmext'\n"
                   "metric = dict(type='CocoClasswiseMetric')\n")
    code = ('from mmengine.config import Config\n'
            'from mmengine.registry import METRICS, init_default_scope\n'
            f'cfg = Config.fromfile({str(cfg)!r})\n'
            'init_default_scope(cfg.default_scope)\n'
            'print(type(METRICS.build(cfg.metric)).__module__)\n')
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().startswith('mmext.detection.metrics')
