"""The slot configs parse, are internally consistent, and the CPU ones train through the
MMEngine Runner (a few iterations on tiny synthetic data)."""
import glob
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', 'slots', '*.py')))


def test_configs_exist():
    names = {osp.basename(c) for c in CONFIGS}
    assert {'dinosaur_dinov2-vits14_movi-c_224.py', 'videosaur_dinov2-vits14_movi-c_224.py',
            'pixel-slots_synthetic-movi_32.py'} <= names


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_is_consistent(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmext'
    m = cfg.model
    if m.type in ('DINOSAUR', 'VideoDINOSAUR'):
        bb = m.backbone
        if bb.type == 'ResNetTokenBackbone':
            patch = 4 * 2 ** bb.out_stage
        else:
            patch = bb.get('patch_size') or bb.get('hf_config', {}).get('patch_size')
        if patch is None:  # HF id: ViT-S/14 or /16 per name
            patch = 14 if 'dinov2' in bb.pretrained else 16
        size = cfg.train_pipeline[1]['scale']
        assert m.decoder.num_patches == (size // patch) ** 2
        assert m.decoder.out_dim == m.encoder.in_dim
    assert m.encoder.num_slots >= 2
    for ev in cfg.val_evaluator:
        if ev.type == 'MaskStabilityMetric':
            assert m.test_cfg.stability_jitter
    name = osp.basename(path)
    if '5slots-tau05' in name:  # the log's own setting
        assert m.encoder.num_slots == 5 and m.decoder.mask_temperature == 0.5
    elif '_movi-c_' in name:    # the published MOVi-C settings (OCL / VideoSAUR)
        assert m.encoder.num_slots == 11 or m.type == 'PixelSlotAutoencoder'
        assert m.decoder.mask_temperature == 1.0
    if '_movi-c_' in name or '_movi-a' in name:  # 128 -> 224 bicubic with clamping
        resize = [t for t in cfg.train_dataloader.dataset.pipeline if t.type == 'ResizeClip']
        assert all(t.interpolation == 'bicubic' and t.clamp for t in resize)
        assert resize or m.type == 'PixelSlotAutoencoder'
    for ev in cfg.val_evaluator:
        if ev.type == 'ObjectDiscoveryMetric':
            assert ev.get('convention', 'reference') == 'reference'


# trained through the Runner (the remaining configs, including the GPU-sized ones, run one
# chain step with tiny stand-ins in test_slot_gpu_configs.py)
CPU_CONFIGS = ['pixel-slots_synthetic-movi_32.py',
               'dinosaur_tiny-random_synthetic-movi_64.py',
               'dinosaur-attnmask_tiny-random_synthetic-movi_64.py',
               'videosaur-attnmask_tiny-random_synthetic-movi_64.py',
               'videosaur_tiny-random_synthetic-movi_64.py',
               'dinosaur-gumbel-anneal_tiny-random_synthetic-movi_64.py']


def test_every_config_is_tested():
    """Each config either trains through the Runner below or is built (with tiny stand-ins
    where it needs pretrained weights) and stepped in test_slot_gpu_configs.py."""
    from .test_slot_gpu_configs import STEP_CONFIGS
    assert {osp.basename(c) for c in CONFIGS} == set(CPU_CONFIGS) | set(STEP_CONFIGS)
    assert not set(CPU_CONFIGS) & set(STEP_CONFIGS)


@pytest.mark.parametrize('name', CPU_CONFIGS)
def test_cpu_config_trains_and_tests_through_runner(tmp_path, name):
    from mmengine.runner import Runner
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'slots', name))
    cfg.work_dir = str(tmp_path / 'work')
    small = dict(num_videos=2, size=32, num_frames=4, min_objects=2, max_objects=3)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dl = cfg[key]
        dl.num_workers, dl.persistent_workers, dl.batch_size = 0, False, 2
        dl.dataset.data_root = str(tmp_path / 'data')
        dl.dataset.generate_if_missing.update(small)
        dl.dataset.pipeline[1]['scale'] = 32
        if dl.dataset.clip_mode == 'first':
            dl.dataset.num_frames = 4
    if cfg.model.type == 'PixelSlotAutoencoder':
        cfg.model.decoder.init_size = 32 // 2 ** cfg.model.decoder.num_upsample
    else:
        patch = cfg.model.backbone.hf_config.patch_size
        cfg.model.decoder.num_patches = (32 // patch) ** 2
    cfg.train_dataloader.dataset.num_frames = min(cfg.train_dataloader.dataset.num_frames, 2)
    cfg.train_cfg.max_iters, cfg.train_cfg.val_interval = 2, 2
    cfg.param_scheduler = []
    cfg.default_hooks.visualization.update(draw=True, test_out_dir=str(tmp_path / 'vis'))
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    assert 0.0 <= metrics['slots/mBO'] <= 1.0
    assert not np.isnan(metrics['slots/mask_stability'])
    assert 0.0 <= metrics['slots/mask_similarity'] <= 1.0
    assert glob.glob(str(tmp_path / 'vis' / '*.png'))
    assert glob.glob(str(tmp_path / 'work' / 'diagnostics' / '*.png'))
