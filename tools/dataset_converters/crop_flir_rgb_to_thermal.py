"""Crop FLIR RGB frames to the thermal camera's field of view and prune coco.json to match.

Seed 003 (2025/08/07) cropped the v2 train/val RGB frames this way before using them with
thermal frames. Writes the cropped frames (same relative names), the pruned coco.json and
the homography of the cropped frames (``rgb_to_thermal_homography.json``).

Example:
    python tools/dataset_converters/crop_flir_rgb_to_thermal.py \
        data/FLIR_ADAS_v2/images_rgb_train data/FLIR_ADAS_v2_cropped/images_rgb_train \
        --homography data/FLIR_ADAS_v2/rgb_to_thermal_homography.json --thermal-size 640 512
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmext.apis import run_cli  # noqa: E402
from mmext.utils.errors import UserInputError  # noqa: E402


def main(argv=None) -> None:
    """Entry point."""
    from mmext.detection.datasets.flir_convert import crop_rgb_to_thermal_view
    from mmext.detection.pseudo_labels.generator import load_mapping
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('rgb_root', help='RGB split folder holding coco.json and data/')
    parser.add_argument('out_root', help='output folder')
    parser.add_argument('--ann-file', default='coco.json', help='relative to rgb_root')
    parser.add_argument('--homography', required=True,
                        help='JSON with rgb_to_thermal (and rgb_size) for these RGB frames')
    parser.add_argument('--thermal-size', type=int, nargs=2, default=(640, 512),
                        metavar=('W', 'H'))
    parser.add_argument('--rgb-size', type=int, nargs=2, metavar=('W', 'H'),
                        help='RGB frame size the homography was fitted for (default: its '
                        'JSON rgb_size)')
    parser.add_argument('--keep-resolution', action='store_true',
                        help='do not resize the crops to the thermal size')
    parser.add_argument('--min-visible', type=float, default=0.5)
    args = parser.parse_args(argv)
    H, size = load_mapping(args.homography)
    size = tuple(args.rgb_size) if args.rgb_size else size
    if size is None:
        raise UserInputError(f'{args.homography!r} has no "rgb_size"; give --rgb-size W H')
    summary = crop_rgb_to_thermal_view(
        args.rgb_root, osp.join(args.rgb_root, args.ann_file), args.out_root, H,
        tuple(args.thermal_size), size, resize=not args.keep_resolution,
        min_visible=args.min_visible)
    print(json.dumps(summary, indent=1))


if __name__ == '__main__':
    run_cli(main)
