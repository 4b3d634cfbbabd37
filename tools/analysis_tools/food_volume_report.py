"""Food-volume report of one or more models on a config's test set, from one command.

For each `--model NAME CONFIG [CHECKPOINT]` (no checkpoint: the config's `pretrained`
weights) writes into `<out-dir>/<NAME>/`: per_dish.csv (id, true / predicted mL, error,
relative error, depth scale ratio, UniDepth focal error), error_hist.png, by_size.md and the
worst-N panels (RGB | GT | pred | error | volume overlay); then prints and writes the
side-by-side table (`<out-dir>/comparison.md`). The K of the labels is printed with it
(volumes scale with 1/(fx fy)).

Example (DAV2 vs UniDepth after fine-tuning):
    python tools/analysis_tools/food_volume_report.py --out-dir work_dirs/volume_report \
        --model dav2 configs/food/dav2_metric_indoor_large_volume_mix_nutrition5k.py dav2.pth \
        --model unidepth configs/food/unidepth_v2_vitl_volume_mix_nutrition5k.py unidepth.pth
"""
import argparse
import copy
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))


def parse_args(argv=None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--model', nargs='+', action='append', required=True,
                   metavar='NAME CONFIG [CHECKPOINT]')
    p.add_argument('--out-dir', required=True)
    p.add_argument('--worst', type=int, default=8, help='worst-N panels per model')
    p.add_argument('--max-test', type=int, default=None)
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='applied to every model config')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import mmext  # noqa: F401
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    from mmext.depth.evaluation import (collect_predictions, compare_models_table,
                                        volume_kwargs, write_volume_report)
    from mmext.registry import DATASETS, MODELS
    from mmext.utils import UserInputError

    results, ks = {}, set()
    for spec in args.model:
        if len(spec) not in (2, 3):
            raise UserInputError(f'--model {" ".join(spec)}: expected NAME CONFIG [CHECKPOINT]')
        name, cfg_path = spec[0], spec[1]
        cfg = Config.fromfile(cfg_path)
        if args.cfg_options:
            cfg.merge_from_dict(args.cfg_options)
        init_default_scope(cfg.get('default_scope', 'mmext'))
        ds = DATASETS.build(copy.deepcopy(cfg.test_dataloader.dataset))
        ks.add(tuple(round(float(x), 2) for x in (ds.K[0, 0], ds.K[1, 1], ds.K[0, 2],
                                                  ds.K[1, 2])))
        model = MODELS.build(copy.deepcopy(cfg.model))
        if len(spec) == 3:
            load_checkpoint(model, spec[2], map_location='cpu')
        else:
            model.init_weights()
        vol_kw = volume_kwargs(cfg)
        samples = collect_predictions(model, ds, args.max_test)
        results[name] = write_volume_report(samples, osp.join(args.out_dir, name),
                                            worst_n=args.worst, **vol_kw)
    note = 'Labels and predicted volumes with K (fx, fy, cx, cy) = ' + \
        '; '.join(str(k) for k in sorted(ks))
    table = compare_models_table(results, note)
    print(table)
    with open(osp.join(args.out_dir, 'comparison.md'), 'w') as f:
        f.write(table + '\n')
    return results


if __name__ == '__main__':
    main()
