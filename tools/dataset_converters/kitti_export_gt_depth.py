"""Export the velodyne ground-truth depth of a KITTI split as monodepth2's gt_depths.npz.

For every line ``folder frame side`` of the split file the frame's velodyne scan is
projected into the camera (mmext.selfsup.datasets.kitti_io.velodyne_to_depth). The output
holds ``data``: an object array of float32 (H, W) maps (0 = no point) in split order; load
it with ``mmext.selfsup.datasets.load_gt_depths(path)`` (no ``allow_pickle``: only numpy
arrays are accepted in the pickle). The defaults (``--pixel-offset 1``,
``--depth-from velo_x``) reproduce monodepth2's export_gt_depth.py for the Eigen split,
i.e. the ground truth of every published KITTI number.

Example::

    python tools/dataset_converters/kitti_export_gt_depth.py data/kitti_raw \
        splits/eigen/test_files.txt
    # writes splits/eigen/gt_depths.npz next to the split file (or --out PATH)
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmext.apis import run_cli  # noqa: E402
from mmext.selfsup.datasets.kitti_gt import export_gt_depths  # noqa: E402
from mmext.utils.errors import UserInputError  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line arguments."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('data_root', help='KITTI raw root (holds the <date> folders)')
    p.add_argument('split_file', help='monodepth2 split file ("folder frame side" lines); '
                   'relative paths are tried as given, then under data_root')
    p.add_argument('--out', default=None,
                   help='output .npz (default: gt_depths.npz next to the split file)')
    p.add_argument('--pixel-offset', type=int, default=1,
                   help='pixels subtracted after rounding (monodepth2/KITTI devkit: 1)')
    p.add_argument('--depth-from', choices=('velo_x', 'cam_z'), default='velo_x',
                   help="'velo_x': the point's velodyne x (monodepth2's vel_depth=True); "
                   "'cam_z': its camera z")
    p.add_argument('--no-progress', action='store_true', help='no progress bar')
    return p.parse_args(argv)


def main(argv=None) -> str:
    """Entry point; returns the written path."""
    args = parse_args(argv)
    split = args.split_file
    if not osp.isfile(split) and osp.isfile(osp.join(args.data_root, split)):
        split = osp.join(args.data_root, split)
    if not osp.isdir(args.data_root):
        raise UserInputError(f'KITTI raw root not found: {args.data_root!r}')
    out = args.out or osp.join(osp.dirname(split), 'gt_depths.npz')
    try:
        path = export_gt_depths(args.data_root, split, out, pixel_offset=args.pixel_offset,
                                depth_from=args.depth_from, show_progress=not args.no_progress)
    except (FileNotFoundError, ValueError) as err:
        raise UserInputError(str(err)) from None
    print(f'wrote {path}')
    return path


if __name__ == '__main__':
    run_cli(main)
