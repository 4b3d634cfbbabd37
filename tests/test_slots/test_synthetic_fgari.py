"""'It must work', as a test that can fail: a short CPU training of the video slot model on
synthetic MOVi videos must beat the trivial baselines on videos it has never seen.

Train and test videos are generated here with seeds that neither the configs' data
(seeds 0 and 1) nor the benchmark's held-out set (seed 7) use. About 3 minutes on 2 cores,
hence ``slow`` (``make test-all``).
"""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

CONFIG = 'configs/slots/videosaur-attnmask_tiny-random_synthetic-movi_64.py'
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.mark.slow
def test_short_training_beats_trivial_baselines_on_unseen_videos(tmp_path):
    import mmext  # noqa: F401
    from mmengine.runner import Runner

    from mmext.registry import DATASETS
    from mmext.slots.baselines import evaluate_baseline

    cfg = Config.fromfile(osp.join(ROOT, CONFIG))
    data_root = str(tmp_path / 'movi')
    cfg.train_dataloader.dataset.data_root = data_root
    cfg.train_dataloader.dataset.generate_if_missing.update(num_videos=100, seed=11)
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    test_loader = cfg.test_dataloader
    test_loader.dataset.data_root = data_root
    test_loader.dataset.generate_if_missing.update(num_videos=16, seed=12)
    test_loader.num_workers = 0
    test_loader.persistent_workers = False
    cfg.train_cfg.max_iters = 300
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=300)
    cfg.work_dir = str(tmp_path / 'work')
    cfg.randomness = dict(seed=0)

    runner = Runner.from_cfg(cfg)
    runner.train()
    model = runner.test()

    init_default_scope('mmext')
    dataset = DATASETS.build(test_loader.dataset)
    grid2 = evaluate_baseline(dataset, 'grid', 2, 2, video_level=True)
    grid3 = evaluate_baseline(dataset, 'grid', 3, 3, video_level=True)
    single = evaluate_baseline(dataset, 'single', video_level=True)
    best_grid = max(grid2['FG-ARI'], grid3['FG-ARI'])
    assert single['FG-ARI'] == pytest.approx(0.0)
    # Seen at 300 iterations: 0.54 vs 0.36 (grid 2x2) on the configs' validation videos,
    # 0.41 vs 0.28 on this test's videos (mBO 0.44 vs 0.13, temporal consistency 0.93).
    assert model['slots/FG-ARI'] > best_grid + 0.08, (model, grid2, grid3)
    assert model['slots/mBO'] > 2 * max(grid2['mBO'], grid3['mBO']), (model, grid2, grid3)
    assert model['slots/temporal_consistency'] > 0.8, model
