"""Camera height from measured depth and road masks (no model): checks masks, calibration
and the estimators on real KITTI (expected ~1.65 m) or the synthetic twin (exactly 1.65 m).

Uses the dataset of a selfsup config (``--split`` picks its dataloader), which must have
``mask_root``. The depth is camera z from the frames' velodyne scans
(``--depth-source velodyne``, the default) or the dataset's ground truth
(``--depth-source dataset``; a ``gt_depths.npz`` must hold camera-z depth: monodepth2's
velodyne-x depth reads ~5% high and is refused).

Example::

    python tools/analysis_tools/kitti_camera_height.py \
        configs/selfsup/fumet_r18c16_synthkitti_256x96_cpu.py --split test --reference 1.65
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmext.apis import load_config, run_cli  # noqa: E402
from mmext.utils import UserInputError  # noqa: E402


def main(argv=None) -> None:
    """Command line entry point; prints a JSON summary."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config')
    p.add_argument('--split', default='test', choices=('train', 'val', 'test'))
    p.add_argument('--estimator', default='plane', choices=('plane', 'normals'))
    p.add_argument('--threshold', type=float, default=0.05, help='plane inlier distance (m)')
    p.add_argument('--depth-source', default='velodyne', choices=('velodyne', 'dataset'),
                   help="'velodyne': camera z of the scans (default); 'dataset': its GT")
    p.add_argument('--max-frames', type=int, default=None)
    p.add_argument('--reference', type=float, default=None, help='known height, e.g. 1.65')
    p.add_argument('--out', default=None, help='also write per-frame heights (JSON)')
    a = p.parse_args(argv)
    import mmext  # noqa: F401
    from mmengine.registry import init_default_scope

    from mmext.registry import DATASETS
    from mmext.selfsup.evaluation import gt_camera_heights, summarize_heights

    cfg = load_config(a.config)
    loader = cfg.get(f'{a.split}_dataloader')
    if not loader:
        raise UserInputError(f'{a.config} has no {a.split}_dataloader')
    ds_cfg = dict(loader['dataset'])
    if not ds_cfg.get('mask_root'):
        raise UserInputError(f'{a.config}: the {a.split} dataset has no mask_root (road masks)')
    if a.depth_source == 'dataset' and not ds_cfg.get('gt_depth'):
        ds_cfg['gt_depth'] = 'npz'
    if a.depth_source == 'velodyne':
        ds_cfg['gt_depth'] = None
    ds_cfg['pipeline'] = []
    ds_cfg['frame_ids'] = (0, )
    init_default_scope('mmext')
    ds = DATASETS.build(ds_cfg)
    try:
        records = gt_camera_heights(ds, a.estimator, a.threshold, a.max_frames,
                                    depth_source=a.depth_source)
    except (FileNotFoundError, ValueError) as err:
        raise UserInputError(str(err)) from None
    summary = summarize_heights(records, a.reference)
    print(json.dumps(dict(config=a.config, split=a.split, estimator=a.estimator,
                          depth_source=a.depth_source, **summary),
                     indent=1))
    if a.out:
        with open(a.out, 'w') as f:
            json.dump(dict(summary=summary, frames=records), f, indent=1)


if __name__ == '__main__':
    run_cli(main)
