"""Write the synthetic KITTI-raw twin (camera 1.65 m above a textured road, static cars and
pedestrians of known heights) in the real KITTI raw layout.

The defaults are those of configs/_base_/datasets/synthkitti_road.py (4 drives x 40 frames
at 416x128, seed 0; the last drive is the held-out test drive), which also writes it on
first use.

Example::

    python tools/dataset_converters/kitti_synthetic.py data/synthkitti --drives 4 --frames 40
"""
import argparse
import json

from mmext.synthetic.kitti_road import is_generated, write_synthetic_kitti
from mmext.synthetic.stamp import read_stamp


def main() -> None:
    """Command line entry point."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('out')
    p.add_argument('--drives', type=int, default=4, help='drives (the last is the test one)')
    p.add_argument('--frames', type=int, default=40, help='frames per drive')
    p.add_argument('--size', type=int, nargs=2, default=(416, 128), metavar=('W', 'H'))
    p.add_argument('--camera-height', type=float, default=1.65)
    p.add_argument('--speed', type=float, default=1.0, help='metres per frame')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--force', action='store_true',
                   help='write even when a stamp says the same version and arguments')
    a = p.parse_args()
    kw = dict(num_drives=a.drives, frames_per_drive=a.frames, image_size=tuple(a.size),
              camera_height=a.camera_height, speed=a.speed, seed=a.seed)
    if not a.force and is_generated(a.out, **kw):
        print(f'{a.out}: synthetic KITTI twin already present (use --force to redo)')
    else:
        info = write_synthetic_kitti(a.out, **kw)
        print(json.dumps({k: v for k, v in info.items() if k in ('splits', 'gt_depths',
                                                                  'num_frames')}, indent=1))
    # compare this line between machines: equal hashes = byte-identical data
    print(f'{a.out}: content sha256 {read_stamp(a.out)["content"]["sha256"]}')


if __name__ == '__main__':
    main()
