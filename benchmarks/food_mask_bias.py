"""Bias of Nutrition5k volume labels per food-mask source, on synthetic trays with analytic
volumes (mmext.synthetic.nutrition5k_trays, 640x480, a plate 4-8 mm high under the food).

For each tray the label is compute_volume(GT depth, K, mask) with Nutrition5kDataset's
settings (RANSAC plane on a 5 + 20 px ring, 'surface' footprint) and mask = the true food
mask, or derived from depth (mmext.depth.datasets.food_masks.derive_food_mask):
'table' (height above the table plane > 6 mm, opening; optional hysteresis growth) or
'plate' (height above the plate the food stands on > 3 mm, grown to 1.5 mm; the default),
or -- with real SAM 2 weights given -- SAM 2 masks from box prompts around the 'plate'
mask's components (SAM2FoodMasker). Depth noise (Gaussian, RealSense-like) can be added to
the depth the masks and labels are computed from. Prints the signed relative error of the
labels vs the analytic volumes (mean, min, max, mean |.|) and the mean IoU with the true
mask, over all trays of all --seeds.

Example (about 2 min on one core):
    python benchmarks/food_mask_bias.py --seeds 0 1 2 --dishes 12 --noise-mm 0 1
    # + SAM 2 rows (real weights; random weights would say nothing about bias)
    python benchmarks/food_mask_bias.py --seeds 0 --dishes 12 \
        --sam2-checkpoint checkpoints/sam2.1_hiera_large.pt --device cuda
"""
import argparse
import os.path as osp
import sys
import tempfile

import numpy as np

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--dishes', type=int, default=12, help='trays per seed')
    p.add_argument('--seeds', type=int, nargs='+', default=[0])
    p.add_argument('--noise-mm', type=float, nargs='+', default=[0.0])
    p.add_argument('--focal', type=float, default=616.0,
                   help='focal length (px) the trays are rendered and labelled with')
    p.add_argument('--grow-mm', type=float, nargs='*', default=[1.5],
                   help="hysteresis rows of the 'table' method")
    p.add_argument('--plate-grow-mm', type=float, nargs='*', default=[],
                   help="extra growth heights of the 'plate' method (rows)")
    p.add_argument('--sam2-checkpoint', default=None, help='sam2 package weights (.pt)')
    p.add_argument('--sam2-config', default='configs/sam2.1/sam2.1_hiera_l.yaml')
    p.add_argument('--hf-model', default=None, help='transformers SAM 2 hub id or folder')
    p.add_argument('--prompt', default='food_boxes')
    p.add_argument('--device', default='cpu')
    args = p.parse_args(argv)
    import cv2
    import torch
    from mmext.depth.datasets import derive_food_mask
    from mmext.geometry import compute_volume
    from mmext.synthetic.nutrition5k_trays import generate_nutrition5k

    masker = None
    if args.sam2_checkpoint or args.hf_model:
        from mmext.depth.datasets.sam2_food_masks import SAM2FoodMasker
        sam2 = (dict(type='hf', model=args.hf_model, device=args.device) if args.hf_model
                else dict(type='sam2', config=args.sam2_config,
                          checkpoint=args.sam2_checkpoint, device=args.device))
        masker = SAM2FoodMasker(sam2, prompt=args.prompt)
    rows = {}
    for seed in args.seeds:
        with tempfile.TemporaryDirectory() as root:
            gt = generate_nutrition5k(root, num_dishes=args.dishes, num_sessions=4, seed=seed,
                                      size=(480, 640), K=(args.focal, args.focal, 319.5, 239.5))
            K = gt['K']
            rng = np.random.default_rng(seed)
            for noise in args.noise_mm:
                for dish in gt['dish_ids']:
                    d = osp.join(root, 'imagery', 'realsense_overhead', dish)
                    depth = cv2.imread(osp.join(d, 'depth_raw.png'), cv2.IMREAD_UNCHANGED) * 1e-4
                    if noise > 0:
                        depth = depth + rng.normal(0, noise * 1e-3, depth.shape) * (depth > 0)
                    true_mask = cv2.imread(osp.join(root, 'masks', f'{dish}.png'), 0) > 127
                    masks = {'true mask': true_mask,
                             "'table' > 6 mm (old default)": derive_food_mask(
                                 depth, K, method='table')}
                    for g in args.grow_mm:
                        masks[f"'table' > 6 mm + grow {g:g} mm"] = derive_food_mask(
                            depth, K, method='table', grow_thr=g * 1e-3)
                    masks["'plate' > 3 mm + grow 1.5 mm (default)"] = derive_food_mask(
                        depth, K, method='plate')
                    for g in args.plate_grow_mm:
                        masks[f"'plate' > 3 mm + grow {g:g} mm"] = derive_food_mask(
                            depth, K, method='plate', grow_thr=g * 1e-3)
                    masks["'plate' > 3 mm, no growth"] = derive_food_mask(
                        depth, K, method='plate', grow_thr=0)
                    masks["'plate' > 6 mm, no growth"] = derive_food_mask(
                        depth, K, method='plate', height_thr=0.006, grow_thr=0)
                    if masker is not None:
                        bgr = cv2.imread(osp.join(d, 'rgb.png'), cv2.IMREAD_COLOR)
                        masks[f'SAM 2 ({args.prompt} prompts)'] = masker(
                            np.ascontiguousarray(bgr[..., ::-1]), depth, K)
                    ref = gt['volumes_ml'][dish]
                    for name, m in masks.items():
                        v = compute_volume(torch.from_numpy(depth)[None], torch.from_numpy(K),
                                           torch.from_numpy(m)[None], plane_method='ransac',
                                           generator=torch.Generator().manual_seed(0)
                                           ).item() * 1e6
                        iou = (m & true_mask).sum() / max((m | true_mask).sum(), 1)
                        rows.setdefault((noise, name), []).append((v / ref - 1, iou))
    n = args.dishes * len(args.seeds)
    print(f'{n} synthetic trays (seeds {" ".join(map(str, args.seeds))}), 640x480, '
          f'f = {args.focal:g} px, labels vs analytic volumes (signed relative error, %)')
    print('| depth noise (mm) | mask | mean | min | max | mean abs | mean IoU |')
    print('|---|---|---|---|---|---|---|')
    for (noise, name), e in rows.items():
        e = np.array(e)
        r = e[:, 0] * 100
        print(f'| {noise:g} | {name} | {r.mean():+.2f} | {r.min():+.2f} | {r.max():+.2f} | '
              f'{np.abs(r).mean():.2f} | {e[:, 1].mean():.3f} |')
    return rows


if __name__ == '__main__':
    main()
