"""Split Nutrition5k dishes by capture session (leak-free) into split files.

Dish ids (unix timestamps) are grouped into sessions (a gap > --gap seconds starts a new one)
and whole sessions are assigned to splits with dish counts close to --ratios.

Example:
    python tools/dataset_converters/nutrition5k_session_split.py data/nutrition5k \
        --ratios 0.7 0.13 0.17 --names train val test \
        --out-dir data/nutrition5k/dish_ids/splits_session
    # writes depth_train_ids.txt, depth_val_ids.txt, depth_test_ids.txt
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmext.depth.datasets.nutrition5k_sessions import (  # noqa: E402
    audit_leakage, group_sessions, split_by_sessions)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('data_root', help='Nutrition5k root (dishes under imagery/realsense_overhead)')
    p.add_argument('--ids-files', nargs='*', default=None,
                   help='take dish ids from these files (relative to data_root) instead of '
                        'scanning imagery/realsense_overhead; default: the official depth splits '
                        'if present')
    p.add_argument('--gap', type=float, default=300, help='session gap in seconds (300)')
    p.add_argument('--ratios', type=float, nargs='+', default=[0.8, 0.2])
    p.add_argument('--names', nargs='+', default=['train', 'test'])
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out-dir', default=None,
                   help='output folder (default data_root/dish_ids/splits_session)')
    return p.parse_args(argv)


def collect_ids(root, ids_files):
    if ids_files is None:
        official = [osp.join('dish_ids', 'splits', f'depth_{s}_ids.txt') for s in ('train', 'test')]
        if all(osp.isfile(osp.join(root, f)) for f in official):
            ids_files = official
    if ids_files:
        ids = []
        for f in ids_files:
            with open(osp.join(root, f)) as fh:
                ids += [line.strip() for line in fh if line.strip()]
        return ids
    img = osp.join(root, 'imagery', 'realsense_overhead')
    if not osp.isdir(img):
        raise SystemExit(f'{img} does not exist and no --ids-files given')
    return sorted(d for d in os.listdir(img) if d.startswith('dish_'))


def main(argv=None):
    args = parse_args(argv)
    ids = collect_ids(args.data_root, args.ids_files)
    splits = split_by_sessions(ids, args.ratios, args.names, args.seed, args.gap)
    out = args.out_dir or osp.join(args.data_root, 'dish_ids', 'splits_session')
    os.makedirs(out, exist_ok=True)
    for name, lst in splits.items():
        with open(osp.join(out, f'depth_{name}_ids.txt'), 'w') as f:
            f.write('\n'.join(lst) + '\n')
    n_sess = len(group_sessions(ids, args.gap))
    audit = audit_leakage(splits, args.gap, args.gap)
    print(f'{len(set(ids))} dishes in {n_sess} sessions (gap {args.gap:g} s) -> ' +
          ', '.join(f'{n}: {len(v)}' for n, v in splits.items()) + f'; written to {out}')
    print(f"cross-split pairs within {args.gap:g} s: {sum(audit['pairs'].values())}, "
          f"shared sessions: {sum(audit['shared_sessions'].values())}")
    return splits


if __name__ == '__main__':
    main()
