"""Audit Nutrition5k split files for near-duplicate leakage.

For every pair of split files: dish pairs shot within --within seconds of each other, capture
sessions (gap --gap) with dishes in both, and dish ids listed in both. Exit code 1 with
--fail-on-leak when anything leaks (usable in CI).

Example:
    python tools/analysis_tools/audit_split_leakage.py \
        data/nutrition5k/dish_ids/splits/depth_train_ids.txt \
        data/nutrition5k/dish_ids/splits/depth_test_ids.txt --within 300
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmext.depth.datasets.nutrition5k_sessions import audit_leakage  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('split_files', nargs='+', help='two or more files with one dish id per line')
    p.add_argument('--within', type=float, default=300, help='pair window in seconds (300)')
    p.add_argument('--gap', type=float, default=300, help='session gap in seconds (300)')
    p.add_argument('--json', default=None, help='also write the audit as JSON here')
    p.add_argument('--fail-on-leak', action='store_true')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if len(args.split_files) < 2:
        raise SystemExit('give at least two split files')
    splits = {}
    for f in args.split_files:
        name = osp.splitext(osp.basename(f))[0]
        with open(f) as fh:
            splits[name] = [line.strip() for line in fh if line.strip()]
    audit = audit_leakage(splits, args.within, args.gap)
    print(f"{sum(len(v) for v in splits.values())} dishes, {audit['num_sessions']} sessions "
          f"(gap {args.gap:g} s)")
    print(f"| split A | split B | pairs within {args.within:g} s | shared sessions | "
          'same dish id |')
    print('|---|---|---|---|---|')
    for (a, b), n in audit['pairs'].items():
        print(f"| {a} | {b} | {n} | {audit['shared_sessions'][(a, b)]} | "
              f"{audit['duplicates'][(a, b)]} |")
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({k: {f'{a}|{b}': n for (a, b), n in v.items()} if isinstance(v, dict) else v
                       for k, v in audit.items()}, f, indent=1)
    leak = any(sum(audit[k].values()) for k in ('pairs', 'shared_sessions', 'duplicates'))
    if leak and args.fail_on_leak:
        sys.exit(1)
    return audit


if __name__ == '__main__':
    main()
