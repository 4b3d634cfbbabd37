"""Every Nutrition5k config of configs/food builds and runs its chain (before-training
validation, one training step with its hooks, validation) on tiny stand-ins of the same types:
a 4-block DINOv2 / the UniDepth stand-in, the synthetic Nutrition5k tree in the real layout."""
import functools
import glob
import os.path as osp

import numpy as np
import pytest

ROOT = osp.join(osp.dirname(__file__), '..', '..')
CONFIGS = sorted(p for p in glob.glob(osp.join(ROOT, 'configs', 'food', '*.py'))
                 if 'crossdomain' not in p)          # test_cross_domain.py runs those
K_SMALL = [308.0, 308.0, 159.5, 119.5]


def _tiny_model(model):
    if model['type'] == 'UniDepthWrapper':
        from mmext.depth.models.unidepth_wrapper import build_batch_camera
        from . import _unidepth_standin as ud
        model['module'] = ud.StandInUniDepthV2()
        model['camera_fn'] = functools.partial(build_batch_camera, pinhole_cls=ud.Pinhole)
        model['input_size'] = (56, 70)
    else:
        bb = model['backbone']
        keep = {k: bb[k] for k in ('trainable_blocks', 'lora', 'pos_embed_interp') if k in bb}
        if 'trainable_blocks' in keep:
            keep['trainable_blocks'] = min(keep['trainable_blocks'], 2)
        model['backbone'] = dict(type='DINOv2Backbone', arch=None, hidden_size=32, num_layers=4,
                                 num_heads=2, out_indices=[0, 1, 2, 3], image_size=56, **keep)
        model['decode_head'] = dict(type='DepthAnythingHead', in_channels=32, features=8,
                                    out_channels=[8, 8, 16, 16], mode='metric',
                                    max_depth=model['decode_head']['max_depth'])
        model['pretrained'] = None
    for loss in model.get('losses', []):
        if 'ring_width' in loss:
            loss.update(ring_inner=1, ring_width=5)
        if 'dilate_px' in loss:
            loss['dilate_px'] = 2
    return model


def _tiny_pipeline(pipeline):
    for t in pipeline:
        if t['type'] == 'RandomScaleCropK':
            t.update(crop_size=(112, 154), base_scale=(120, 160))
        if t['type'] == 'ResizeK':
            t['scale'] = (112, 154)
        if t['type'] == 'MaskMorphology':
            t['max_px'] = 1
    return pipeline


@pytest.mark.parametrize('path', CONFIGS, ids=[osp.basename(p) for p in CONFIGS])
def test_config_builds_and_steps(path, n5k_root, tmp_path):
    import mmext  # noqa: F401
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = Config.fromfile(path)
    if 'lora' in cfg.model.get('backbone', {}):
        pytest.importorskip('peft')
    root, _ = n5k_root
    cfg.model = _tiny_model(cfg.model.to_dict())
    splits = dict(train_dataloader='depth_train_ids.txt', val_dataloader='depth_test_ids.txt',
                  test_dataloader='depth_test_ids.txt')
    for dl, split in splits.items():
        d = cfg[dl]
        d.batch_size, d.num_workers, d.persistent_workers = 2, 0, False
        d.dataset.update(data_root=str(root) + '/', split_file=f'dish_ids/splits/{split}',
                         K=K_SMALL, cache_dir=str(root / 'cache'), ring_inner=3, ring_width=10,
                         max_dishes=2, metadata_files=[], mask_dir='masks')
        d.dataset.pipeline = _tiny_pipeline(d.dataset.pipeline)
    for ev in ('val_evaluator', 'test_evaluator'):
        for m in cfg[ev]:
            if m['type'] == 'VolumeMetric':
                m.update(ring_inner=1, ring_width=5, hist_path='')
    cfg.train_cfg.update(max_epochs=1, val_interval=1)
    for h in cfg.get('custom_hooks', []):
        if h['type'] == 'StagedFinetuneHook':
            h.update(freeze_epochs=None, freeze_iters=1)    # both stages in 2 iterations
    cfg.train_dataloader.dataset.max_dishes = 4
    cfg.visualizer = dict(type='Visualizer', vis_backends=[dict(type='LocalVisBackend')])
    cfg.default_hooks.visualization = dict(type='DepthVisualizationHook', interval=1000)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1000)
    cfg.work_dir = str(tmp_path / 'work')
    if cfg.model['type'] == 'UniDepthWrapper':
        # The stand-in module cannot be written into the dumped config: build the model here
        # and hand the rest of the config to the Runner as it is.
        from mmext.registry import MODELS
        model = MODELS.build(cfg.pop('model'))
        keys = ('work_dir', 'train_dataloader', 'val_dataloader', 'test_dataloader',
                'train_cfg', 'val_cfg', 'test_cfg', 'optim_wrapper', 'param_scheduler',
                'val_evaluator', 'test_evaluator', 'default_hooks', 'custom_hooks',
                'visualizer', 'log_processor', 'default_scope', 'env_cfg', 'randomness',
                'log_level')
        runner = Runner(model=model, **{k: cfg[k] for k in keys if k in cfg})
    else:
        runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.val_loop.run()
    assert np.isfinite(metrics['depth/abs_rel']) and 'depth/abse' in metrics
    assert np.isfinite(metrics['volume/mae_ml'])
