"""Bias of Nutrition5k volume labels made with depth-derived food masks, on synthetic trays
with analytic volumes (mmext.synthetic.nutrition5k_trays, 640x480).

For each tray the label is compute_volume(GT depth, K, mask) with Nutrition5kDataset's
settings (RANSAC plane on a 5 + 20 px ring, 'surface' footprint) and mask = the true food
mask, or derived from depth: height > 6 mm then a 2-px opening (the default), or that plus
hysteresis growth to connected regions higher than 1.5 / 2 / 3 mm. Depth noise (Gaussian,
RealSense-like) can be added to the depth the mask and the label are computed from.
Prints the signed relative error of the labels vs the analytic volumes (mean, min, max).

Example (about 1 min on one core):
    python benchmarks/food_mask_bias.py --dishes 24 --noise-mm 0 1
"""
import argparse
import os.path as osp
import sys
import tempfile

import numpy as np

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--dishes', type=int, default=24)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--noise-mm', type=float, nargs='+', default=[0.0])
    p.add_argument('--grow-mm', type=float, nargs='+', default=[1.5, 2.0, 3.0])
    args = p.parse_args(argv)
    import cv2
    import torch
    from mmext.depth.datasets import derive_food_mask
    from mmext.geometry import compute_volume
    from mmext.synthetic.nutrition5k_trays import generate_nutrition5k

    with tempfile.TemporaryDirectory() as root:
        gt = generate_nutrition5k(root, num_dishes=args.dishes, num_sessions=4, seed=args.seed,
                                  size=(480, 640))
        K = gt['K']
        rng = np.random.default_rng(args.seed)
        rows = {}
        for noise in args.noise_mm:
            for dish in gt['dish_ids']:
                d = osp.join(root, 'imagery', 'realsense_overhead', dish)
                depth = cv2.imread(osp.join(d, 'depth_raw.png'), cv2.IMREAD_UNCHANGED) * 1e-4
                if noise > 0:
                    depth = depth + rng.normal(0, noise * 1e-3, depth.shape) * (depth > 0)
                true_mask = cv2.imread(osp.join(root, 'masks', f'{dish}.png'), 0) > 127
                masks = {'true mask': true_mask,
                         'derived 6 mm (default)': derive_food_mask(depth, K)}
                for g in args.grow_mm:
                    masks[f'derived 6 mm + grow {g:g} mm'] = derive_food_mask(
                        depth, K, grow_thr=g * 1e-3)
                ref = gt['volumes_ml'][dish]
                for name, m in masks.items():
                    v = compute_volume(torch.from_numpy(depth)[None], torch.from_numpy(K),
                                       torch.from_numpy(m)[None], plane_method='ransac',
                                       generator=torch.Generator().manual_seed(0)).item() * 1e6
                    rows.setdefault((noise, name), []).append(v / ref - 1)
        print(f'{args.dishes} synthetic trays, 640x480, labels vs analytic volumes (signed '
              'relative error, %)')
        print('| depth noise (mm) | mask | mean | min | max | mean abs |')
        print('|---|---|---|---|---|---|')
        for (noise, name), e in rows.items():
            e = np.array(e) * 100
            print(f'| {noise:g} | {name} | {e.mean():+.2f} | {e.min():+.2f} | {e.max():+.2f} | '
                  f'{np.abs(e).mean():.2f} |')


if __name__ == '__main__':
    main()
