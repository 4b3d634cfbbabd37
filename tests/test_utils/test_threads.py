"""Thread defaults: dataloader workers + compute threads <= usable cores (issue 17, item 8)."""
import torch

from mmext.utils.threads import apply_thread_defaults, default_num_threads, usable_cpus


def _cfg(workers):
    return dict(train_dataloader=dict(num_workers=workers), val_dataloader=dict(num_workers=0))


def test_default_num_threads(monkeypatch):
    monkeypatch.delenv('LOCAL_WORLD_SIZE', raising=False)
    assert default_num_threads(_cfg(0), cores=2) == 2
    assert default_num_threads(_cfg(1), cores=2) == 1
    assert default_num_threads(_cfg(8), cores=2) == 1
    assert default_num_threads(_cfg(2), cores=16) == 14
    monkeypatch.setenv('LOCAL_WORLD_SIZE', '4')  # 4 DDP processes share the machine
    assert default_num_threads(_cfg(2), cores=16) == 2
    assert usable_cpus() >= 1


def test_apply_respects_omp_num_threads(monkeypatch):
    before = torch.get_num_threads()
    try:
        monkeypatch.setenv('OMP_NUM_THREADS', '1')
        assert apply_thread_defaults(_cfg(1)) is None
        assert torch.get_num_threads() == before
        monkeypatch.delenv('OMP_NUM_THREADS')
        monkeypatch.delenv('LOCAL_WORLD_SIZE', raising=False)
        n = apply_thread_defaults(_cfg(usable_cpus()))
        assert n == 1 and torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
