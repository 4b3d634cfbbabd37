""""It must work": train a slot config briefly on the synthetic videos, test it, and put
its FG-ARI next to the trivial baselines (one slot; fixed 2x2 and 3x3 grids) on the very
same validation clips, with the resolution bounds of 8x8, 16x16 and 32x32 token masks
(``oracle``: the GT seen through that grid; see :mod:`mmext.slots.baselines`).

Example::

    python benchmarks/slots_synthetic_fgari.py configs/slots/pixel-slots_synthetic-movi_32.py \
        --work-dir work_dirs/slots_synth_pixel --max-iters 1500

A held-out check: score a trained checkpoint (no training) on freshly generated videos
that neither training nor the tests have seen, by overriding the test set::

    python benchmarks/slots_synthetic_fgari.py CONFIG --work-dir DIR --checkpoint CKPT \
        --cfg-options test_dataloader.dataset.data_root=data/movi_synth_heldout \
        test_dataloader.dataset.generate_if_missing.seed=7 \
        test_dataloader.dataset.generate_if_missing.num_videos=48

Each run also writes ``<work-dir>/fgari_table.json`` (rows: model, baselines, bounds) and run
cards, so several seeds are reported as mean ± std by::

    for s in 0 1 2; do python benchmarks/slots_synthetic_fgari.py CONFIG \
        --work-dir work_dirs/fgari_x/seed$s --seed $s; done
    python tools/analysis_tools/collect_results.py x=work_dirs/fgari_x/seed* \
        --table fgari_table.json --columns FG-ARI ARI mBO mIoU --digits 4
"""
import argparse
import json
import os.path as osp
import time

from mmengine.config import Config, DictAction


def _rounded(scores: dict) -> dict:
    """``{metric: value}`` with values rounded to 4 decimals."""
    return {k: round(v, 4) for k, v in scores.items()}


def main() -> None:
    """Command line entry point; prints a JSON summary."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config')
    p.add_argument('--work-dir', required=True)
    p.add_argument('--max-iters', type=int, default=None)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--checkpoint', default=None,
                   help='score this checkpoint instead of training')
    p.add_argument('--cfg-options', nargs='+', action=DictAction, default=None,
                   help='config overrides (key=value), as in tools/train.py')
    a = p.parse_args()

    import mmext  # noqa: F401
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner

    from mmext.engine.run_card import attach_run_card
    from mmext.registry import DATASETS
    from mmext.slots.baselines import evaluate_baseline

    cfg = Config.fromfile(a.config)
    if a.cfg_options:
        cfg.merge_from_dict(a.cfg_options)
    cfg.work_dir = a.work_dir
    cfg.randomness = dict(seed=a.seed)
    cfg.env_cfg.dist_cfg = dict(backend='gloo')
    if a.max_iters is not None:  # the LR schedule of the config is kept as it is
        cfg.train_cfg.max_iters = a.max_iters
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None  # tested once, below
    if a.checkpoint is not None:
        cfg.load_from = a.checkpoint
        cfg.train_dataloader = cfg.train_cfg = cfg.optim_wrapper = None
        cfg.param_scheduler = None
    # write a synthetic test split now (generate_if_missing), not during runner.test(), so the
    # run card's data fingerprint sees the whole data root in every seed's run
    init_default_scope('mmext')
    ds = DATASETS.build(cfg.test_dataloader.dataset)
    runner = Runner.from_cfg(cfg)
    attach_run_card(runner)   # <work_dir>/run_card*.json: collect_results.py checks the runs match
    t0 = time.time()
    if a.checkpoint is None:
        runner.train()
    train_s = time.time() - t0
    model_metrics = runner.test()

    init_default_scope('mmext')
    video_level = [e for e in cfg.test_evaluator
                   if e['type'] == 'ObjectDiscoveryMetric'][0].get('video_level', True)
    baselines = {
        'single slot': evaluate_baseline(ds, 'single', video_level=video_level),
        'grid 2x2': evaluate_baseline(ds, 'grid', 2, 2, video_level=video_level),
        'grid 3x3': evaluate_baseline(ds, 'grid', 3, 3, video_level=video_level),
    }
    bounds = {f'oracle {g}x{g}': evaluate_baseline(ds, 'oracle', g, g, video_level=video_level)
              for g in (8, 16, 32)}
    max_iters = None if a.checkpoint else cfg.train_cfg.max_iters
    # one row per scorer, for `collect_results.py NAME=DIR/seed* --table fgari_table.json`
    model_row = {k.split('/')[-1]: v for k, v in _rounded(model_metrics).items()}
    table = dict(model=model_row, **{n: _rounded(m) for n, m in baselines.items()},
                 **{n: _rounded(m) for n, m in bounds.items()})
    with open(osp.join(a.work_dir, 'fgari_table.json'), 'w') as f:
        json.dump(table, f, indent=1)
    print(json.dumps(dict(config=a.config, max_iters=max_iters, checkpoint=a.checkpoint,
                          train_seconds=round(train_s, 1), test_clips=len(ds),
                          model=_rounded(model_metrics),
                          baselines={n: _rounded(m) for n, m in baselines.items()},
                          upper_bounds={n: _rounded(m) for n, m in bounds.items()}),
                     indent=1))


if __name__ == '__main__':
    main()
