"""benchmarks/gpu_check.py --dry: the one-GPU check's code runs on CPU at tiny sizes."""
import importlib.util
import os.path as osp

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_gpu_check_dry_runs_every_family(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location(
        'mmext_gpu_check', osp.join(ROOT, 'benchmarks', 'gpu_check.py'))
    gc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gc)
    out_file = tmp_path / 'table.md'
    # the `cuda` tests themselves are collected (and skipped) by the default suite anyway
    assert gc.main(['--dry', '--skip-tests', '--out', str(out_file)]) == 0
    table = out_file.read_text().strip().splitlines()
    body = [line for line in table[2:]]
    families = [line.split('|')[1].strip() for line in body]
    assert {'food', 'selfsup', 'thermal', 'slots'} <= set(families)
    measured = [line for line in body if '| train |' in line or '| infer |' in line]
    # every family measured: food, selfsup, slots train; thermal train + teacher + SAM 2
    assert sum('| train |' in line for line in measured) == 4
    assert sum('| infer |' in line for line in measured) == 2
    for line in measured:
        cells = [c.strip() for c in line.split('|')[1:-1]]
        assert float(cells[3]) > 0 and float(cells[4]) > 0 and cells[5].endswith('x')
    assert 'UniDepth' in out_file.read_text()


def test_gpu_check_runs_the_cuda_marked_tests(monkeypatch):
    spec = importlib.util.spec_from_file_location(
        'mmext_gpu_check2', osp.join(ROOT, 'benchmarks', 'gpu_check.py'))
    gc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gc)
    calls = []
    monkeypatch.setattr(gc.subprocess, 'run', lambda cmd, **kw: calls.append((cmd, kw)) or
                        type('P', (), {'returncode': 0})())
    assert gc.run_cuda_tests(dry=True) == 0
    cmd, kw = calls[0]
    assert cmd[1:6] == ['-m', 'pytest', '-q', '-m', 'cuda'] and kw['cwd'] == ROOT
    for path in gc.CUDA_TEST_FILES:
        assert path in cmd and osp.isfile(osp.join(ROOT, path))
