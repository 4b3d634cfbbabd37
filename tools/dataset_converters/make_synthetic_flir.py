"""Write the synthetic paired thermal/RGB set in the FLIR ADAS v1.3 layout.

Example:
    python tools/dataset_converters/make_synthetic_flir.py data/synthetic_flir --train 240 --val 60
"""
import argparse
import json
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmext.synthetic.flir import (SyntheticFLIRSpec, generate_synthetic_flir,  # noqa: E402
                                  is_generated)
from mmext.utils.fingerprint import tree_sha256  # noqa: E402


def main(argv=None) -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out_dir', help='output root, e.g. data/synthetic_flir')
    parser.add_argument('--train', type=int, default=240, help='train frames')
    parser.add_argument('--val', type=int, default=60, help='val frames')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--thermal-size', type=int, nargs=2, default=(640, 512),
                        metavar=('W', 'H'))
    parser.add_argument('--rgb-size', type=int, nargs=2, default=(800, 640),
                        metavar=('W', 'H'))
    parser.add_argument('--force', action='store_true',
                        help='regenerate even when a matching set exists')
    args = parser.parse_args(argv)
    spec = SyntheticFLIRSpec(splits={'train': args.train, 'val': args.val}, seed=args.seed,
                             thermal_size=tuple(args.thermal_size),
                             rgb_size=tuple(args.rgb_size))
    if not args.force and is_generated(args.out_dir, spec):
        print(f'{args.out_dir}: synthetic FLIR set already present (use --force to redo)')
    else:
        t0 = time.time()
        summary = generate_synthetic_flir(args.out_dir, spec)
        print(json.dumps(summary, indent=1))
        print(f'wrote {args.out_dir} in {time.time() - t0:.1f}s')
    # compare this line between machines: equal hashes = byte-identical data
    print(f'{args.out_dir}: content sha256 {tree_sha256(args.out_dir)["sha256"]}')


if __name__ == '__main__':
    main()
