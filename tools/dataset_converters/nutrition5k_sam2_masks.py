"""Write SAM 2 food masks of Nutrition5k dishes (box / point prompts) for mask_dir.

For every dish of the split files, prompts come from the GT depth (boxes or interior points
of the depth-derived 'plate' mask's components) or from the image centre, SAM 2 segments
them and the union is written to <data_root>/<out_dir>/<dish_id>.png (255 = food); then set
``mask_dir='<out_dir>'`` on Nutrition5kDataset (volume labels are recomputed: the cache is
keyed by the mask source). Dishes without depth are skipped (centre_point needs none).

Examples:
    # sam2 package (facebookresearch/sam2) with the official SAM 2.1 weights
    python tools/dataset_converters/nutrition5k_sam2_masks.py data/nutrition5k \
        --split-files dish_ids/splits_session/depth_train_ids.txt \
        --sam2-config configs/sam2.1/sam2.1_hiera_l.yaml \
        --sam2-checkpoint checkpoints/sam2.1_hiera_large.pt --device cuda
    # transformers SAM 2 from the hub
    python tools/dataset_converters/nutrition5k_sam2_masks.py data/nutrition5k \
        --hf-model facebook/sam2.1-hiera-large --prompt food_points
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('data_root', help='Nutrition5k root (dishes under imagery/realsense_overhead)')
    p.add_argument('--split-files', nargs='+',
                   default=['dish_ids/splits/depth_train_ids.txt',
                            'dish_ids/splits/depth_test_ids.txt'],
                   help='dish id files relative to data_root')
    p.add_argument('--out-dir', default='masks_sam2', help='relative to data_root')
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument('--sam2-checkpoint', help='.pt of the sam2 package (with --sam2-config)')
    g.add_argument('--hf-model', help="transformers SAM 2: hub id or folder "
                                      "(e.g. facebook/sam2.1-hiera-large)")
    p.add_argument('--sam2-config', default='configs/sam2.1/sam2.1_hiera_l.yaml')
    p.add_argument('--prompt', default='food_boxes',
                   choices=['food_boxes', 'food_box', 'food_points', 'centre_point'])
    p.add_argument('--K', type=float, nargs=4, default=None, metavar=('FX', 'FY', 'CX', 'CY'),
                   help='intrinsics of the 640x480 frames (default: the Nutrition5k paper '
                        'geometry, f = 465.1 px)')
    p.add_argument('--device', default='cpu')
    p.add_argument('--overwrite', action='store_true', help='redo masks already written')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import cv2
    import numpy as np

    from mmext.depth.datasets import NUTRITION5K_K_PAPER, read_depth_raw, read_split_ids
    from mmext.depth.datasets.sam2_food_masks import SAM2FoodMasker
    from mmext.utils import UserInputError

    root = args.data_root
    if not osp.isdir(osp.join(root, 'imagery', 'realsense_overhead')):
        raise UserInputError(f'{root}: no imagery/realsense_overhead folder (is it the '
                             'Nutrition5k root?)')
    ids = []
    for f in args.split_files:
        path = osp.join(root, f)
        if not osp.isfile(path):
            raise UserInputError(f'{path}: split file not found (--split-files)')
        ids += read_split_ids(path)
    fx, fy, cx, cy = args.K or NUTRITION5K_K_PAPER
    K = np.array([[fx, 0, cx], [0, fy, cy], [0, 0, 1]], np.float64)
    sam2 = (dict(type='hf', model=args.hf_model, device=args.device) if args.hf_model else
            dict(type='sam2', config=args.sam2_config, checkpoint=args.sam2_checkpoint,
                 device=args.device))
    masker = SAM2FoodMasker(sam2, prompt=args.prompt)
    out_dir = osp.join(root, args.out_dir)
    os.makedirs(out_dir, exist_ok=True)
    counts = dict(written=0, kept=0, no_depth=0, empty=0)
    for dish in ids:
        out = osp.join(out_dir, f'{dish}.png')
        if osp.exists(out) and not args.overwrite:
            counts['kept'] += 1
            continue
        ddir = osp.join(root, 'imagery', 'realsense_overhead', dish)
        bgr = cv2.imread(osp.join(ddir, 'rgb.png'), cv2.IMREAD_COLOR)
        if bgr is None:
            raise UserInputError(f"{osp.join(ddir, 'rgb.png')}: missing or unreadable")
        depth = None
        if args.prompt != 'centre_point':
            if not osp.isfile(osp.join(ddir, 'depth_raw.png')):
                counts['no_depth'] += 1
                continue
            depth = read_depth_raw(osp.join(ddir, 'depth_raw.png'))
        mask = masker(np.ascontiguousarray(bgr[..., ::-1]), depth, K)
        counts['empty'] += int(not mask.any())
        cv2.imwrite(out, mask.astype(np.uint8) * 255)
        counts['written'] += 1
    print(f'{len(ids)} dishes -> {out_dir}: {counts} (prompt {args.prompt}); use '
          f"mask_dir='{args.out_dir}'")
    return counts


if __name__ == '__main__':
    from mmext.apis import run_cli
    run_cli(main)
