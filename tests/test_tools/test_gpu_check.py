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
    assert gc.main(['--dry', '--out', str(out_file)]) == 0   # includes the `cuda` tests step
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
