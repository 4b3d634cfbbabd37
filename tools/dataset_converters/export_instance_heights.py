"""Write per-instance heights predicted by an ObjectHeightEstimator into the mask files.

For every line of a monodepth2 split file the frame's mask file
(``<mask_root>/<folder>/image_0X/<frame>.npz``, format in
mmext/selfsup/datasets/road_masks.py) gets ``heights``: the estimator's prediction for each
instance of a known class, NaN for the others. Files that already hold heights are skipped
(resumable) unless ``--overwrite``; each file is replaced atomically. The FUMET configs
(``height_source='instance'``) then train on these heights.

Example::

    python tools/dataset_converters/export_instance_heights.py \
        configs/selfsup/height-estimator_r18c16_synthkitti-crops_64x64_cpu.py \
        work_dirs/height/epoch_30.pth data/kitti_raw splits/eigen_zhou/train_files.txt
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmext.apis import load_config, run_cli  # noqa: E402
from mmext.utils import UserInputError  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line arguments."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config', help='ObjectHeightEstimator config')
    p.add_argument('checkpoint')
    p.add_argument('data_root')
    p.add_argument('split_file', help='split file (relative paths: as given, then under '
                   'data_root)')
    p.add_argument('--mask-root', default='masks', help='relative to data_root unless absolute')
    p.add_argument('--img-ext', default='.png')
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--overwrite', action='store_true', help='also redo files with heights')
    p.add_argument('--device', default='cpu')
    return p.parse_args(argv)


def main(argv=None) -> dict:
    """Entry point; returns ``{'written', 'skipped', 'instances'}``."""
    a = parse_args(argv)
    import cv2
    import numpy as np
    import torch
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint

    import mmext  # noqa: F401
    from mmext.registry import MODELS
    from mmext.selfsup.datasets import (instance_crop, mask_path, pack_crop, read_split_file,
                                        replace_road_instance_masks, resolve_mask_job)
    from mmext.selfsup.datasets.kitti_io import image_path

    split, mask_root = resolve_mask_job(a.data_root, a.split_file, a.mask_root)
    cfg = load_config(a.config)
    if cfg.model.get('type') != 'ObjectHeightEstimator':
        raise UserInputError(f'{a.config}: model type must be ObjectHeightEstimator, got '
                             f"{cfg.model.get('type')!r}")
    crop_cfg = cfg.train_dataloader.dataset
    classes = tuple(crop_cfg.get('metainfo', {}).get('classes', ('car', 'pedestrian',
                                                                 'cyclist')))
    size, context = tuple(crop_cfg.get('crop_size', (64, 64))), crop_cfg.get('context', 0.1)
    init_default_scope('mmext')
    model = MODELS.build(cfg.model)
    load_checkpoint(model, a.checkpoint, map_location='cpu')
    model.to(a.device).eval()
    stats = dict(written=0, skipped=0, instances=0)
    for line in read_split_file(split):
        path = mask_path(mask_root, line.folder, line.frame_index, line.side)
        if not osp.isfile(path):
            raise UserInputError(f'mask file not found: {path!r} (needed by {line.where})')
        with np.load(path, allow_pickle=False) as f:
            data = {k: f[k] for k in f.files}
        if 'heights' in data and not a.overwrite:
            stats['skipped'] += 1
            continue
        img_file = image_path(a.data_root, line.folder, line.frame_index, line.side, a.img_ext)
        image = cv2.imread(img_file, cv2.IMREAD_COLOR)
        if image is None:
            raise UserInputError(f'image not found: {img_file!r} (needed by {line.where})')
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        inst, names = data['instances'], [str(n) for n in data['labels']]
        heights = np.full(len(names), np.nan, dtype=np.float32)
        items, idx = [], []
        for k, name in enumerate(names):
            if name not in classes:
                continue
            crop = instance_crop(image, inst, k + 1, size, context)
            if crop is None:
                continue
            rows, cols = np.nonzero(inst == k + 1)
            box = ((rows.max() - rows.min() + 1) / inst.shape[0],
                   (cols.max() - cols.min() + 1) / inst.shape[0])
            items.append(pack_crop(crop, classes.index(name), box))
            idx.append(k)
        for s in range(0, len(items), a.batch_size):
            chunk = items[s:s + a.batch_size]
            with torch.no_grad():
                batch = model.data_preprocessor(
                    dict(inputs=[c['inputs'] for c in chunk],
                         data_samples=[c['data_samples'] for c in chunk]), False)
                pred = model(batch['inputs'], batch['data_samples'], mode='tensor')
            heights[idx[s:s + a.batch_size]] = pred.cpu().numpy()
        replace_road_instance_masks(path, data['road'], inst, names, heights)
        stats['written'] += 1
        stats['instances'] += len(idx)
    print(f"wrote heights into {stats['written']} mask files ({stats['instances']} "
          f"instances), skipped {stats['skipped']} that had them")
    return stats


if __name__ == '__main__':
    run_cli(main)
