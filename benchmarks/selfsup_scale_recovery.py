"""Metric scale without GT on the synthetic KITTI twin: monodepth2 vs FUMET.

Trains the baseline (photometric + smoothness only) and the method (plus the object-height
and camera-height terms) with the same data, architecture, schedule and seed, then tests
both on the held-out drive: depth errors without and with per-image median scaling
(Garg crop, 1e-3..80 m, velodyne-like sparse GT), the camera height implied by the
predicted road plane (true height 1.65 m, never used in training) and, for the method,
CameraHeightHook's final training-set estimate. An interrupted run resumes from its last
checkpoint; a finished one is only re-tested.

Several seeds give mean ± std per model (``--seeds 0 1 2``); each run's per-epoch camera-
height targets are kept in ``summary.json`` (``hook_camera_height``).

Example::

    python benchmarks/selfsup_scale_recovery.py --work-dir work_dirs/selfsup_scale \
        --seeds 0 1 2 --only baseline method
"""
import argparse
import glob
import json
import os.path as osp
import time

from mmengine.config import Config

CONFIGS = {
    'monodepth2 (baseline)': 'configs/selfsup/monodepth2_r18c16_synthkitti_256x96_cpu.py',
    'FUMET as published (method)': 'configs/selfsup/fumet_r18c16_synthkitti_256x96_cpu.py',
    'monodepth2, softplus + translation x1 (variant)':
        'configs/selfsup/monodepth2-softplus_r18c16_synthkitti_256x96_cpu.py',
    'FUMET, softplus + translation x1 (variant)':
        'configs/selfsup/fumet-softplus_r18c16_synthkitti_256x96_cpu.py',
    'mmext legacy FUMET form (variant)':
        'configs/selfsup/fumet-legacy_r18c16_synthkitti_256x96_cpu.py',
    'legacy, frame-level rough term (variant)':
        'configs/selfsup/fumet-frame_r18c16_synthkitti_256x96_cpu.py',
    'legacy, median object depth (variant)':
        'configs/selfsup/fumet-median_r18c16_synthkitti_256x96_cpu.py',
    'FUMET, epochs at twin scale (variant)':
        'configs/selfsup/fumet-twin-epochs_r18c16_synthkitti_256x96_cpu.py',
    'FUMET, epochs at twin scale, no outlier test (variant)':
        'configs/selfsup/fumet-twin-epochs-no-outliers_r18c16_synthkitti_256x96_cpu.py',
}
KEYS = ('baseline', 'method', 'baseline-softplus', 'method-softplus', 'legacy', 'frame',
        'median', 'twin-epochs', 'twin-epochs-no-outliers')
#: GPU-sized run of the method (not run here: no GPU was lent to the task)
GPU_CONFIGS = {'FUMET as published, GPU-sized (method)':
               'configs/selfsup/fumet_r18_synthkitti_640x192_gpu.py',
               'FUMET, epochs at KITTI length, GPU-sized (variant)':
               'configs/selfsup/fumet-twin-epochs_r18_synthkitti_640x192_gpu.py'}
GPU_KEYS = ('method', 'twin-epochs')
TRUE_HEIGHT = 1.65


def retarget(node, root: str, synth: dict):
    """Point every synthetic dataset of a config at ``root``, generated with ``synth``."""
    if isinstance(node, dict):
        if node.get('type') == 'KITTIRawDataset':
            node['data_root'] = root
            if node.get('generate_if_missing') is not None:
                node['generate_if_missing'] = dict(node['generate_if_missing'], **synth)
        for v in node.values():
            retarget(v, root, synth)
    elif isinstance(node, (list, tuple)):
        for v in node:
            retarget(v, root, synth)


def run_one(name: str, config: str, work_dir: str, epochs, seed: int,
            speed: float = None) -> dict:
    """Train (or resume, or skip when finished) and test one config; return its numbers."""
    from mmengine.runner import Runner

    cfg = Config.fromfile(config)
    if speed is not None:   # another drive speed = another metric scale of the same scenes
        d = cfg.to_dict()
        retarget(d, f'data/synthkitti_speed{speed:g}', dict(speed=speed))
        cfg = Config(d)
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=seed)
    cfg.env_cfg.dist_cfg = dict(backend='gloo')
    if epochs is not None:
        cfg.train_cfg.max_epochs = epochs
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None   # tested once, below
    final = osp.join(work_dir, f'epoch_{cfg.train_cfg.max_epochs}.pth')
    train_s = None
    if not osp.exists(final):
        cfg.resume = bool(glob.glob(osp.join(work_dir, 'epoch_*.pth')))
        runner = Runner.from_cfg(cfg)
        t0 = time.time()
        runner.train()
        train_s = round(time.time() - t0, 1)
    else:
        cfg.load_from = final
        runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    residuals = object_residuals(runner)
    out = dict(config=config, speed=speed or 1.0, epochs=cfg.train_cfg.max_epochs,
               train_seconds=train_s,
               metrics={k: round(float(v), 4) for k, v in metrics.items()},
               object_residuals=residuals)
    hist = osp.join(work_dir, 'camera_height.json')
    if osp.exists(hist):
        with open(hist) as f:
            h = json.load(f)['history']
        out['hook_camera_height'] = [round(e['target'], 4) for e in h]
    return out


def object_residuals(runner) -> dict:
    """Per-object height residuals on the test drive: for every instance with a true height
    ``H`` in its mask file, the height the predicted depth implies,
    ``(v_max - v_min) * median(D over the mask) / f_y`` (FUMET's pixel height), as
    ``implied / H - 1``; returns the count, median, mean and the 10/90 percentiles."""
    import numpy as np
    import torch
    from mmext.selfsup.objects import instance_boxes

    model = runner.model
    model.eval()
    rel = []
    with torch.no_grad():
        for data in runner.test_dataloader:
            data = model.data_preprocessor(data, False)
            depth = model.predict_depth(data['inputs']['frames'][:, 0])
            for b, s in enumerate(data['data_samples']):
                if 'instance_heights' not in s:
                    continue
                heights = torch.as_tensor(s.instance_heights).reshape(-1)
                imap = torch.as_tensor(s.instance_map)
                boxes, areas = instance_boxes(imap, heights.numel())
                fy = float(torch.as_tensor(s.K)[1, 1])
                for k, H in enumerate(heights.tolist()):
                    if areas[k] < 2 or not np.isfinite(H):
                        continue
                    d = depth[b, 0][imap == k + 1].median()
                    implied = float(boxes[k, 3] - boxes[k, 1]) * float(d) / fy
                    rel.append(implied / H - 1.0)
    r = np.asarray(rel)
    if r.size == 0:
        return dict(count=0)
    return dict(count=int(r.size), median=round(float(np.median(r)), 4),
                mean=round(float(r.mean()), 4), p10=round(float(np.percentile(r, 10)), 4),
                p90=round(float(np.percentile(r, 90)), 4))


def _ms(values) -> str:
    """``mean +- std`` (std over seeds; a single run gives its value)."""
    import numpy as np
    v = np.asarray(values, dtype=float)
    return f'{v.mean():.3f}' if v.size == 1 else f'{v.mean():.3f} ± {v.std(ddof=1):.3f}'


def table(results: dict) -> str:
    """Markdown table of the headline numbers, mean ± std over the seeds of each model
    (``results``: model name -> {seed: run}); the goal columns: camera height within 3% of
    1.65 m and unscaled abs_rel within 10% of the median-scaled one."""
    rows = ['| model | seeds | abs_rel (no scaling) | abs_rel (median-scaled) | unscaled / '
            'scaled | d1 (no scaling) | median ratio | test camera height (m) | '
            'error vs 1.65 m | hook target (m) | object height residual (median) |',
            '|---|---|---|---|---|---|---|---|---|---|---|']
    for name, runs in results.items():
        ms = [r['metrics'] for r in runs.values()]
        cams = [m['camera_height/median'] for m in ms]
        hooks = [r['hook_camera_height'][-1] for r in runs.values()
                 if r.get('hook_camera_height')]
        res = [r['object_residuals']['median'] for r in runs.values()
               if r.get('object_residuals', {}).get('count')]
        rows.append(
            f"| {name} | {len(ms)} | {_ms([m['depth/abs_rel'] for m in ms])} | "
            f"{_ms([m['depth/ms_abs_rel'] for m in ms])} | "
            f"{_ms([m['depth/abs_rel'] / m['depth/ms_abs_rel'] for m in ms])} | "
            f"{_ms([m['depth/d1'] for m in ms])} | {_ms([m['depth/med_ratio'] for m in ms])} | "
            f"{_ms(cams)} | {_ms([abs(c - TRUE_HEIGHT) / TRUE_HEIGHT * 100 for c in cams])}% | "
            f"{_ms(hooks) if hooks else '-'} | {_ms(res) if res else '-'} |")
    return '\n'.join(rows)


def main() -> None:
    """Command line entry point; prints the table and a JSON summary."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--work-dir', default='work_dirs/selfsup_scale')
    p.add_argument('--epochs', type=int, default=None, help='override max_epochs of both')
    p.add_argument('--seeds', type=int, nargs='+', default=[0])
    p.add_argument('--config-set', choices=('cpu', 'gpu'), default='cpu',
                   help="'gpu': the GPU-sized FUMET configs")
    p.add_argument('--only', choices=KEYS, nargs='+', default=None)
    p.add_argument('--speed', type=float, default=None,
                   help='drive speed of the synthetic twin in m/frame (config: 1.0); the '
                        'baseline cannot know it, a metric method must not depend on it')
    a = p.parse_args()
    import mmext  # noqa: F401
    results: dict = {}
    path = osp.join(a.work_dir, 'summary.json')
    if osp.exists(path):                    # keep the runs of earlier --only / seed runs
        with open(path) as f:
            results = json.load(f)
    configs = CONFIGS if a.config_set == 'cpu' else GPU_CONFIGS
    for i, (name, config) in enumerate(configs.items()):
        if a.only and (KEYS if a.config_set == 'cpu' else GPU_KEYS)[i] not in a.only:
            continue
        for seed in a.seeds:
            sub = osp.join(a.work_dir, f'{osp.splitext(osp.basename(config))[0]}_seed{seed}')
            results.setdefault(name, {})[str(seed)] = run_one(name, config, sub, a.epochs,
                                                              seed, a.speed)
    with open(path, 'w') as f:
        json.dump(results, f, indent=1)
    print(table(results))
    print(json.dumps(results, indent=1))


if __name__ == '__main__':
    main()
