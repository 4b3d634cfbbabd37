"""Compare pretrained vs fine-tuned depth models with the baselines that expose fake gains.

Rows: pretrained; pretrained + per-image median scaling (oracle); pretrained + one global scale
fitted on the train split; constant predictor (train-mean depth map); fine-tuned. Columns:
AbsRel, RMSE, d1, volume MAE (mL) and mean relative volume error, on the config's test set.
With --cross-domain, a second table puts the same before/after models on food and non-food
sets (NYU Depth V2 / KITTI Eigen configs) side by side, each with its own test protocol.

Example:
    python tools/analysis_tools/food_honest_comparison.py \
        configs/food/dav2_metric_indoor_large_silog_nutrition5k_session.py \
        work_dirs/dav2_metric_indoor_large_silog_nutrition5k_session/best.pth --out table.md
"""
import argparse
import copy
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))


def parse_args(argv=None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('checkpoint', nargs='?', default=None, help='fine-tuned checkpoint')
    p.add_argument('--pretrained-checkpoint', default=None,
                   help='mmengine checkpoint of the "before" model (default: the config '
                        'model with its `pretrained` weights)')
    p.add_argument('--max-train', type=int, default=200,
                   help='train dishes used to fit the global scale and the mean depth map')
    p.add_argument('--max-test', type=int, default=None)
    p.add_argument('--official-preprocessing', action='store_true',
                   help="test with DAV2's official inference preprocessing (the config's "
                        '`official_test_pipeline`: short side 518, multiple of 14, bicubic)')
    p.add_argument('--cross-domain', nargs='+', default=[],
                   help='configs whose test set + test_evaluator (DepthMetric) give non-food '
                        'rows (configs/food/*crossdomain*.py)')
    p.add_argument('--out', default=None, help='write the Markdown table here')
    p.add_argument('--cfg-options', nargs='+', action=DictAction)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import mmext  # noqa: F401
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    from mmext.depth.evaluation import (collect_predictions, cross_domain_rows, format_table,
                                        honest_rows, volume_kwargs)
    from mmext.registry import DATASETS, MODELS

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmext'))
    # Same seed as the Runner, so a randomly initialised "before" model is the one trained.
    from mmengine.runner import set_random_seed
    set_random_seed(cfg.get('randomness', {}).get('seed', 0) or 0)
    test_cfg = copy.deepcopy(cfg.test_dataloader.dataset)
    if args.official_preprocessing:
        from mmext.utils import UserInputError
        if 'official_test_pipeline' not in cfg:
            raise UserInputError(f'{args.config}: --official-preprocessing needs '
                                 '`official_test_pipeline` in the config '
                                 '(configs/_base_/nutrition5k_depth.py defines it)')
        test_cfg.pipeline = copy.deepcopy(cfg.official_test_pipeline)
    train_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    train_cfg.pipeline = copy.deepcopy(test_cfg.pipeline)
    train_cfg.test_mode = True
    test_ds, train_ds = DATASETS.build(test_cfg), DATASETS.build(train_cfg)

    pre = MODELS.build(copy.deepcopy(cfg.model))
    if args.pretrained_checkpoint:
        load_checkpoint(pre, args.pretrained_checkpoint, map_location='cpu')
    else:
        pre.init_weights()
    pre_test = collect_predictions(pre, test_ds, args.max_test)
    pre_train = collect_predictions(pre, train_ds, args.max_train)
    ft_test = None
    if args.checkpoint:
        ft = MODELS.build(copy.deepcopy(cfg.model))
        load_checkpoint(ft, args.checkpoint, map_location='cpu')
        ft_test = collect_predictions(ft, test_ds, args.max_test)
    vol_kw = volume_kwargs(cfg)
    rows = honest_rows(pre_test, pre_train, ft_test, volume_kwargs=vol_kw,
                       depth_kwargs=_depth_kwargs(cfg))
    table = format_table(rows)
    print(f'{len(pre_test)} test dishes, {len(pre_train)} train dishes for the baselines')
    print(table)
    if args.cross_domain:
        sets = {'food (' + osp.basename(args.config)[:-3] + ')': dict(
            before=pre_test, after=ft_test, depth_kwargs=_depth_kwargs(cfg),
            volume_kwargs=vol_kw)}
        for path in args.cross_domain:
            c = Config.fromfile(path)
            ds = DATASETS.build(copy.deepcopy(c.test_dataloader.dataset))
            sets[osp.basename(path)[:-3]] = dict(
                before=collect_predictions(pre, ds, args.max_test),
                after=None if ft_test is None else collect_predictions(ft, ds, args.max_test),
                depth_kwargs=_depth_kwargs(c))
        cross = format_table(cross_domain_rows(sets))
        print('\nBefore / after fine-tuning, food and non-food side by side:')
        print(cross)
        table += '\n\n' + cross
    if args.out:
        with open(args.out, 'w') as f:
            f.write(table + '\n')
    return rows


def _depth_kwargs(cfg):
    """DepthMetric options of a config's test evaluator (its protocol), without the type."""
    ev = cfg.test_evaluator if isinstance(cfg.test_evaluator, list) else [cfg.test_evaluator]
    for m in ev:
        if m.get('type') == 'DepthMetric':
            return {k: v for k, v in m.items() if k not in ('type', 'prefix', 'collect_device')}
    return {}


if __name__ == '__main__':
    main()
