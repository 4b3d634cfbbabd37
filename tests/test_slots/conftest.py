"""Slot tests run single-threaded: their tensors are tiny, and on the shared 2-core
machine two intra-op threads made them ~8x slower (measured: 7.1 s vs 0.85 s for the
two-blob test under load). The previous setting is restored after each test."""
import pytest
import torch


@pytest.fixture(autouse=True)
def _single_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
