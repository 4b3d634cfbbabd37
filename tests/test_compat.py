"""One test per workaround in mmext.compat: the upstream problem, and that the fix works."""
import io
import os
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

import mmext  # noqa: F401
from mmext import compat

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          cwd=REPO, timeout=300)


def test_all_workarounds_applied():
    assert set(compat.apply_all()) >= {'allow_mmengine_checkpoint_globals',
                                       'slim_history_buffer_state',
                                       'stub_mmpretrain_multimodal',
                                       'skip_cuda_set_device_without_cuda'}


# 1. mmengine checkpoints under torch >= 2.6 ------------------------------------------------
def _mmengine_like_checkpoint() -> dict:
    import numpy as np
    from mmengine.logging import MessageHub
    hub = MessageHub.get_instance('mmext_compat_test')
    for i in range(3):
        hub.update_scalar('train/loss', np.float64(1.0 / (i + 1)))
    hub.update_info('iter', 3)
    return dict(meta=dict(epoch=1, iter=3, seed=0), state_dict={'w': torch.ones(2)},
                message_hub=hub.state_dict(),
                rng_state=dict(numpy=np.random.get_state()))


def test_stock_mmengine_checkpoint_fails_under_weights_only(tmp_path):
    """The upstream problem, shown in a process that never imported mmext."""
    path = str(tmp_path / 'stock.pth')
    proc = _python(
        'import torch, numpy as np\n'
        'from mmengine.logging import MessageHub\n'
        "hub = MessageHub.get_instance('stock')\n"
        "hub.update_scalar('train/loss', np.float64(0.5))\n"
        f'torch.save(dict(message_hub=hub.state_dict()), {path!r})\n'
        'try:\n'
        f'    torch.load({path!r})\n'
        "    print('LOADED')\n"
        'except Exception as err:\n'
        "    print('REFUSED', type(err).__name__)\n")
    assert proc.returncode == 0, proc.stderr[-2000:]
    if 'LOADED' in proc.stdout:
        pytest.fail('stock mmengine checkpoints load under weights_only now: upstream fixed '
                    'it, delete the checkpoint workarounds in mmext.compat')
    assert 'REFUSED' in proc.stdout


def test_mmext_written_checkpoint_loads_safely():
    buf = io.BytesIO()
    torch.save(_mmengine_like_checkpoint(), buf)
    assert torch.serialization.get_unsafe_globals_in_checkpoint(
        io.BytesIO(buf.getvalue())) == []
    ckpt = torch.load(io.BytesIO(buf.getvalue()))  # weights_only default
    loss = ckpt['message_hub']['log_scalars']['train/loss']
    assert loss.current() == pytest.approx(1 / 3)
    assert loss.mean() == pytest.approx((1 + 1 / 2 + 1 / 3) / 3)  # statistics restored
    assert ckpt['rng_state']['numpy'][1].dtype.name == 'uint32'


class _Arbitrary:
    def __init__(self):
        self.x = 1


def test_arbitrary_objects_still_refused():
    buf = io.BytesIO()
    torch.save({'obj': _Arbitrary()}, buf)
    with pytest.raises(Exception, match='weights_only|Unsupported global'):
        torch.load(io.BytesIO(buf.getvalue()))


# 2. mmpretrain.models next to current transformers ------------------------------------------
def test_mmpretrain_models_fails_without_stub():
    proc = _python('import mmpretrain.models')
    if proc.returncode == 0:
        pytest.fail('mmpretrain.models imports without the stub now: upstream fixed it, '
                    'delete mmext.compat.stub_mmpretrain_multimodal')
    assert 'Error' in proc.stderr


def test_mmpretrain_models_import_and_build_with_mmext():
    proc = _python(
        'import mmext, torch\n'
        'from mmext.registry import MODELS\n'
        "vit = MODELS.build(dict(type='mmpretrain.VisionTransformer', arch=dict("
        "embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64), "
        "img_size=28, patch_size=14, out_type='featmap'))\n"
        'out = vit(torch.randn(1, 3, 28, 28))\n'
        'print(type(vit).__module__, tuple(out[-1].shape))\n')
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'mmpretrain.models.backbones' in proc.stdout and '(1, 32, 2, 2)' in proc.stdout


# 3. distributed training on CPU -------------------------------------------------------------
def test_cpu_distributed_defaults():
    cfg = Config(dict(launcher='pytorch', env_cfg=dict(dist_cfg=dict(backend='nccl'))))
    changed = compat.use_cpu_distributed_defaults(cfg)
    if torch.cuda.is_available():
        assert not changed
        return
    assert changed
    assert cfg.env_cfg.dist_cfg.backend == 'gloo'
    assert cfg.model_wrapper_cfg.type == 'MMDistributedDataParallel'
    assert cfg.model_wrapper_cfg.device_ids is None
    single = Config(dict(launcher='none'))
    assert not compat.use_cpu_distributed_defaults(single) and 'model_wrapper_cfg' not in single
