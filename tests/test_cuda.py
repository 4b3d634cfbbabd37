"""Checks that need an NVIDIA GPU (marker ``cuda``; skipped without one).

Run by ``benchmarks/gpu_check.py`` (or ``pytest -m cuda tests``): an AMP training step for
every family in float16 and bfloat16, and checkpoint save/resume of an AMP run on the GPU.
NMS on CUDA against the CPU is in tests/test_mmcv_ops_fallback.py.
"""
import importlib.util
import math
import os.path as osp

import pytest
import torch

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')]

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def _gpu_check():
    spec = importlib.util.spec_from_file_location(
        'mmext_gpu_check', osp.join(ROOT, 'benchmarks', 'gpu_check.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize('dtype', ['float16', 'bfloat16'])
@pytest.mark.parametrize('make', ['case_food', 'case_selfsup', 'case_thermal', 'case_slots'])
def test_amp_train_step_per_family(make, dtype):
    gc = _gpu_check()
    case = getattr(gc, make)(True, torch.Generator().manual_seed(0))  # tiny sizes
    model = case.model.cuda().train()
    ow = gc._optim_wrapper(model, True, dtype, dry=False)
    assert type(ow).__name__ == 'AmpOptimWrapper'
    before = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    for _ in range(2):
        log = model.train_step(case.data, ow)
        assert math.isfinite(float(log['loss'])), (make, dtype, log)
    moved = [n for n, p in model.named_parameters() if n in before
             and not torch.equal(p.detach(), before[n])]
    assert moved, f'{make}: no parameter changed under AMP'


def test_checkpoint_save_and_resume_with_amp_on_gpu(tmp_path):
    from tests._helpers.toy_data import make_toy_flir, write_toy_config
    from tests.test_tools.test_resume import _losses, _train
    data = make_toy_flir(str(tmp_path / 'data'), train=6, val=2)
    full = write_toy_config(str(tmp_path / 'full.py'), data, max_epochs=2)
    first = write_toy_config(str(tmp_path / 'first.py'), data, max_epochs=1)
    amp = ('--amp', '--amp-dtype', 'bfloat16')
    _train(full, str(tmp_path / 'a'), *amp)
    _train(first, str(tmp_path / 'b'), *amp)
    _train(full, str(tmp_path / 'b'), *amp, '--resume')
    ckpt_a = torch.load(osp.join(tmp_path, 'a', 'epoch_2.pth'), map_location='cpu')
    ckpt_b = torch.load(osp.join(tmp_path, 'b', 'epoch_2.pth'), map_location='cpu')
    assert ckpt_a['meta']['iter'] == ckpt_b['meta']['iter'] == 6
    assert 'loss_scaler' in ckpt_b['optimizer']  # the AMP state travels with the checkpoint
    la, lb = _losses(str(tmp_path / 'a')), _losses(str(tmp_path / 'b'))
    assert sorted(la) == sorted(lb) == [1, 2, 3, 4, 5, 6]
    for it in la:  # GPU kernels need not be bitwise deterministic: close, not equal
        assert abs(la[it] - lb[it]) <= 1e-3 * max(1.0, abs(la[it])), (it, la[it], lb[it])
