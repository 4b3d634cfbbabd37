"""Volume MAE as a function of the assumed focal length (Nutrition5k's K was never released).

Runs the config's model (with its `pretrained` weights, or a checkpoint) on the test set once,
then recomputes every predicted volume with fx = fy scaled to each assumed focal length. Two
label columns: labels kept fixed (the config's labels stand for the true volumes) and labels
recomputed from the ground-truth depth with the same assumed K. `--gt-depth` sweeps the
ground-truth depth itself (no model): how much the labels alone depend on f.

Example:
    python tools/analysis_tools/food_focal_sweep.py \
        configs/food/dav2_metric_indoor_large_volume_mix_nutrition5k.py work_dirs/.../best.pth \
        --focals 400 465.1 520 616 --out focal_sweep.md
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
    p.add_argument('checkpoint', nargs='?', default=None)
    p.add_argument('--focals', type=float, nargs='+', default=[400.0, 465.1, 520.0, 616.0],
                   help='assumed focal lengths (px at 640x480)')
    p.add_argument('--gt-depth', action='store_true',
                   help='use the ground-truth depth as the prediction (no model)')
    p.add_argument('--max-test', type=int, default=None)
    p.add_argument('--out', default=None, help='write the Markdown table here')
    p.add_argument('--cfg-options', nargs='+', action=DictAction)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import mmext  # noqa: F401
    import numpy as np
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    from mmext.depth.evaluation import (collect_predictions, focal_sweep, format_focal_table,
                                        volume_kwargs)
    from mmext.registry import DATASETS, MODELS
    from mmext.utils import UserInputError

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmext'))
    ds = DATASETS.build(copy.deepcopy(cfg.test_dataloader.dataset))
    if len(ds) == 0:
        raise UserInputError(f'{args.config}: the test set is empty')
    ref_focal = float(ds.K[0, 0])
    if args.gt_depth:
        samples = []
        n = len(ds) if args.max_test is None else min(args.max_test, len(ds))
        for i in range(n):
            s = ds[i]['data_samples']
            g = np.asarray(s.gt_depth, np.float64).reshape(s.gt_depth.shape[-2:])
            samples.append(dict(pred_depth=g, gt_depth=g, food_mask=np.asarray(s.food_mask),
                                K=np.asarray(s.K), gt_volume=float(s.gt_volume)))
    else:
        model = MODELS.build(copy.deepcopy(cfg.model))
        if args.checkpoint:
            load_checkpoint(model, args.checkpoint, map_location='cpu')
        else:
            model.init_weights()
        samples = collect_predictions(model, ds, args.max_test)
    vol_kw = volume_kwargs(cfg)
    rows = focal_sweep(samples, args.focals, ref_focal, **vol_kw)
    table = format_focal_table(rows, ref_focal)
    print(f'{len(samples)} test dishes; labels made with f = {ref_focal:.1f} px')
    print(table)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(table + '\n')
    return rows


if __name__ == '__main__':
    main()
