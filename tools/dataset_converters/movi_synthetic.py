"""Write synthetic MOVi-like videos (moving shapes, metal highlights, GT masks).

The defaults are those of configs/_base_/movi_synthetic_clips.py (200 train videos with
seed 0, 24 validation videos with seed 1, 64 px, 24 frames, 2-4 objects).

Example::

    python tools/dataset_converters/movi_synthetic.py data/movi_synth \
        --train 200 --val 24 --size 64 --frames 24
"""
import argparse

from mmext.synthetic.movi import is_generated, stamp_name, write_synthetic_movi
from mmext.synthetic.stamp import read_stamp


def main() -> None:
    """Command line entry point."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('out')
    p.add_argument('--train', type=int, default=200, help='number of training videos')
    p.add_argument('--val', type=int, default=24, help='number of validation videos')
    p.add_argument('--size', type=int, default=64)
    p.add_argument('--frames', type=int, default=24)
    p.add_argument('--max-objects', type=int, default=4)
    p.add_argument('--format', default='folder', choices=('folder', 'webdataset'))
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--force', action='store_true',
                   help='write even when a stamp says the same version and arguments')
    a = p.parse_args()
    kw = dict(size=a.size, num_frames=a.frames, max_objects=a.max_objects, fmt=a.format)
    for split, n, seed in (('train', a.train, a.seed), ('validation', a.val, a.seed + 1)):
        if not a.force and is_generated(a.out, split, num_videos=n, seed=seed, **kw):
            print(f'{a.out}: {split} already present (use --force to redo)')
        else:
            write_synthetic_movi(a.out, n, split, seed=seed, **kw)
            print(f'wrote {n} {split} videos under {a.out}')
        # compare these lines between machines: equal hashes = byte-identical data
        sha = read_stamp(a.out, stamp_name(split))['content']['sha256']
        print(f'{a.out} {split}: content sha256 {sha}')


if __name__ == '__main__':
    main()
