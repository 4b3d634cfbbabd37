"""Log 004's headline comparison, one command: mask stability under colour jitter of the
DINOv2-feature model (DINOSAUR) vs the pixel Slot Attention model.

Both configs are trained (or a checkpoint of each is given), then tested once per fixed
colour jitter (:func:`mmext.slots.models.fixed_color_jitter`; the same frames, the same
slot-initialisation noise, before / after the jitter). Mask stability is the
Hungarian-matched IoU of the two argmax partitions (1 = unchanged), reported next to FG-ARI,
mBO and the mask similarity of each model. The log measured 0.591 (DINOSAUR) vs 0.177
(pixel) on its own data.

GPU run (MOVi-C exported to data/movi_c; facebook/dinov2-small from the HF hub or a local
directory)::

    python benchmarks/slots_color_jitter_stability.py --work-dir work_dirs/jitter_cmp

defaults: configs/slots/dinosaur-5slots-tau05_dinov2-vits14_movi-c_224.py (100k iters,
batch 64) shortened here to --max-iters 30000, and configs/slots/pixel-slots_movi-c_128.py
(30k iters, batch 32). Expected time on one GPU: an ESTIMATE, not measured (no GPU was
available where this was written): about 0.5-1 h for DINOSAUR (frozen ViT-S/14 at 224 px,
~15 GFLOP per image and step) and 2-4 h for the pixel model (stride-1 CNN and 5 broadcast
decoders at 128 px, ~100 GFLOP per image and step), on an A100/H100-class GPU at a few tens
of effective TFLOP/s; plus about 5 min of testing per jitter setting. CPU check of the
plumbing (minutes)::

    python benchmarks/slots_color_jitter_stability.py --work-dir work_dirs/jitter_cpu \
        --dinov2-config configs/slots/dinosaur-attnmask_tiny-random_synthetic-movi_64.py \
        --pixel-config configs/slots/pixel-slots-attnmask_synthetic-movi_32.py --max-iters 20 \
        --cfg-options test_dataloader.dataset.max_videos=2
"""
import argparse
import json
import os
import os.path as osp
import time

from mmengine.config import Config, DictAction

JITTERS = {  # fixed colour transforms (brightness/contrast/saturation factors, hue turns)
    'mild': dict(brightness=1.1, contrast=0.9, saturation=1.1, hue=0.05),
    'default': dict(brightness=1.2, contrast=0.8, saturation=1.3, hue=0.1),
    'hue-quarter': dict(hue=0.25),
    'strong': dict(brightness=1.4, contrast=0.6, saturation=1.6, hue=0.25),
}
KEYS = ('slots/mask_stability', 'slots/FG-ARI', 'slots/mBO', 'slots/mask_similarity')


def run_one(config: str, work_dir: str, max_iters, checkpoint, cfg_options=None):
    """Train (unless ``checkpoint``) and test ``config`` once per jitter setting."""
    from mmengine.runner import Runner
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.work_dir = work_dir
    if max_iters is not None:
        cfg.train_cfg.max_iters = max_iters
        cfg.train_cfg.val_interval = max_iters
    if checkpoint is not None:
        cfg.load_from = checkpoint
        cfg.train_dataloader = cfg.train_cfg = cfg.optim_wrapper = None
        cfg.param_scheduler = None
    runner = Runner.from_cfg(cfg)
    t0 = time.time()
    if checkpoint is None:
        runner.train()
    rows = {}
    model = getattr(runner.model, 'module', runner.model)
    for name, jitter in JITTERS.items():
        model.test_cfg['stability_jitter'] = jitter
        metrics = runner.test()
        rows[name] = {k: round(float(metrics[k]), 4) for k in KEYS if k in metrics}
    return dict(config=config, seconds=round(time.time() - t0, 1), results=rows)


def main() -> None:
    """Command line entry point; prints and writes a JSON and a Markdown table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--work-dir', required=True)
    p.add_argument('--dinov2-config',
                   default='configs/slots/dinosaur-5slots-tau05_dinov2-vits14_movi-c_224.py')
    p.add_argument('--pixel-config', default='configs/slots/pixel-slots_movi-c_128.py')
    p.add_argument('--max-iters', type=int, default=30000,
                   help='training iterations of each model (0: use the configs\' own)')
    p.add_argument('--dinov2-checkpoint', default=None)
    p.add_argument('--pixel-checkpoint', default=None)
    p.add_argument('--cfg-options', nargs='+', action=DictAction, default=None,
                   help='overrides applied to both configs (key=value)')
    a = p.parse_args()
    import mmext  # noqa: F401
    iters = a.max_iters or None
    out = {
        'dinov2': run_one(a.dinov2_config, osp.join(a.work_dir, 'dinov2'), iters,
                          a.dinov2_checkpoint, a.cfg_options),
        'pixel': run_one(a.pixel_config, osp.join(a.work_dir, 'pixel'), iters,
                         a.pixel_checkpoint, a.cfg_options),
    }
    os.makedirs(a.work_dir, exist_ok=True)
    with open(osp.join(a.work_dir, 'stability.json'), 'w') as f:
        json.dump(out, f, indent=1)
    lines = ['| model | jitter | ' + ' | '.join(k.split('/')[-1] for k in KEYS) + ' |',
             '|---|---|' + '---|' * len(KEYS)]
    for model, res in out.items():
        for jit, vals in res['results'].items():
            lines.append(f'| {model} | {jit} | '
                         + ' | '.join(str(vals.get(k, '-')) for k in KEYS) + ' |')
    table = '\n'.join(lines)
    with open(osp.join(a.work_dir, 'stability.md'), 'w') as f:
        f.write(table + '\n')
    print(json.dumps(out, indent=1))
    print(table)


if __name__ == '__main__':
    main()
