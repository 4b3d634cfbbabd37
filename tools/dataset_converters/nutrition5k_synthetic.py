"""Write synthetic food trays in the Nutrition5k layout (for the CPU demo and tests).

Example:
    python tools/dataset_converters/nutrition5k_synthetic.py data/nutrition5k_synthetic \
        --num-dishes 64 --num-sessions 16 --size 240 320
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmext.synthetic.nutrition5k_trays import generate_nutrition5k  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('out', help='output root')
    p.add_argument('--num-dishes', type=int, default=64)
    p.add_argument('--num-sessions', type=int, default=16)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--size', type=int, nargs=2, default=[240, 320], metavar=('H', 'W'))
    p.add_argument('--no-depth', type=int, default=0, help='dishes written without depth')
    p.add_argument('--mm-units', type=int, default=0, help='dishes with depth in millimetres')
    args = p.parse_args(argv)
    H, W = args.size
    f = 616.0 * W / 640                      # the 640x480 K (fx = 616 px) scaled to the size
    K = (f, f * H / 480 * 640 / W, (W - 1) / 2, (H - 1) / 2)
    gt = generate_nutrition5k(args.out, args.num_dishes, args.num_sessions, args.seed, (H, W), K,
                              no_depth=args.no_depth, mm_units=args.mm_units)
    print(f"{len(gt['dish_ids'])} dishes ({len(gt['train_ids'])} train / {len(gt['test_ids'])} "
          f"test by session) written to {args.out}; K = fx {K[0]:g}, fy {K[1]:g}, "
          f"cx {K[2]:g}, cy {K[3]:g}")
    # compare this line between machines: equal hashes = byte-identical data
    print(f"{args.out}: content sha256 {gt['content_sha256']}")
    return gt


if __name__ == '__main__':
    main()
