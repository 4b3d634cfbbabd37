"""The CPU demo config fine-tunes a tiny DAV2 on synthetic trays and the volume error drops
(slow: a few minutes on 2 cores)."""
import os.path as osp

import pytest

ROOT = osp.join(osp.dirname(__file__), '..', '..')


@pytest.mark.slow
def test_cpu_demo_volume_error_drops(tmp_path):
    import mmext  # noqa: F401
    from mmengine.config import Config
    from mmengine.runner import Runner
    from mmext.synthetic.nutrition5k_trays import generate_nutrition5k
    data = tmp_path / 'data'
    generate_nutrition5k(str(data), num_dishes=40, num_sessions=10, seed=1, size=(240, 320),
                         K=(308.0, 308.0, 159.5, 119.5))
    cfg = Config.fromfile(osp.join(ROOT, 'configs/food/dav2_tiny_volume_mix_synthetic_cpu.py'))
    for dl in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[dl].dataset.data_root = str(data) + '/'
    cfg.work_dir = str(tmp_path / 'work')
    cfg.train_cfg.max_epochs, cfg.train_cfg.val_interval = 8, 8
    cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    runner = Runner.from_cfg(cfg)
    before = runner.val_loop.run()
    runner.train()
    after = runner.val_loop.run()
    assert after['volume/mae_ml'] < 0.9 * before['volume/mae_ml']
    assert after['depth/abs_rel'] < 0.5 * before['depth/abs_rel']
