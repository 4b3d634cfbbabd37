"""Write road / instance mask files for a KITTI split with an mmdet segmentation model.

For every line ``folder frame side`` of a monodepth2 split file the frame's image goes
through an mmdet panoptic model (e.g. Mask2Former panoptic: road and objects from one
model) or an instance model (objects; the road then from ``--road-config`` /
``--road-checkpoint``, a panoptic model). Objects of the mapped classes become instances,
cleaned of stray fragments (mmext.selfsup.mask_generation.clean_fragments, log 002); the
files follow mmext/selfsup/datasets/road_masks.py (``heights`` are added later by
export_instance_heights.py). Images go through the model in batches; files that exist are
skipped (resumable) unless ``--overwrite``; each file is written atomically.

Example::

    python tools/dataset_converters/make_road_masks.py \
        mask2former_r50_8xb2-lsj-50e_coco-panoptic.py mask2former_coco_panoptic.pth \
        data/kitti_raw splits/eigen_zhou/train_files.txt --road-classes road \
        --class-map car=car truck=car bus=car person=pedestrian bicycle=cyclist
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmext.apis import run_cli  # noqa: E402
from mmext.utils import UserInputError  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line arguments."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('config', help='mmdet model config (panoptic or instance segmentation)')
    p.add_argument('checkpoint')
    p.add_argument('data_root')
    p.add_argument('split_file')
    p.add_argument('--mask-root', default='masks')
    p.add_argument('--img-ext', default='.png')
    p.add_argument('--road-classes', nargs='+', default=['road'],
                   help='model classes that are drivable road')
    p.add_argument('--class-map', nargs='+', default=['car=car', 'truck=car', 'bus=car',
                                                     'person=pedestrian', 'bicycle=cyclist'],
                   help='MODEL_CLASS=MMEXT_CLASS pairs of the objects to keep')
    p.add_argument('--road-config', default=None, help='panoptic model for the road when '
                   'the main model gives instances only')
    p.add_argument('--road-checkpoint', default=None)
    p.add_argument('--score-thr', type=float, default=0.5, help='instance models')
    p.add_argument('--min-area', type=int, default=20)
    p.add_argument('--keep-ratio', type=float, default=0.5,
                   help='fragment clean-up: smallest kept secondary part (x largest)')
    p.add_argument('--max-gap', type=int, default=4,
                   help='fragment clean-up: largest gap (px) of a kept secondary part')
    p.add_argument('--batch-size', type=int, default=4)
    p.add_argument('--device', default='cpu')
    p.add_argument('--overwrite', action='store_true')
    return p.parse_args(argv)


def _class_map(pairs):
    out = {}
    for p in pairs:
        if '=' not in p:
            raise UserInputError(f'--class-map entries must be MODEL=MMEXT, got {p!r}')
        k, v = p.split('=', 1)
        out[k] = v
    return out


def _classes(model, what):
    meta = getattr(model, 'dataset_meta', None) or {}
    classes = meta.get('classes')
    if not classes:
        raise UserInputError(f'{what}: the checkpoint has no dataset_meta classes')
    return tuple(classes)


def _panoptic(sample):
    return sample.pred_panoptic_seg.sem_seg[0].cpu().numpy() \
        if 'pred_panoptic_seg' in sample else None


def main(argv=None) -> dict:
    """Entry point; returns ``{'written', 'skipped', 'instances'}``."""
    a = parse_args(argv)
    from mmdet.apis import inference_detector, init_detector

    import mmext  # noqa: F401
    from mmext.selfsup.datasets import (mask_path, read_split_file, replace_road_instance_masks,
                                        resolve_mask_job)
    from mmext.selfsup.datasets.kitti_io import image_path
    from mmext.selfsup.mask_generation import masks_from_instances, masks_from_panoptic

    split, mask_root = resolve_mask_job(a.data_root, a.split_file, a.mask_root)
    cmap = _class_map(a.class_map)
    model = init_detector(a.config, a.checkpoint, device=a.device)
    classes = _classes(model, a.config)
    road_model = None
    if a.road_config:
        road_model = init_detector(a.road_config, a.road_checkpoint, device=a.device)
        road_classes = _classes(road_model, a.road_config)
    todo, stats = [], dict(written=0, skipped=0, instances=0)
    for line in read_split_file(split):
        out = mask_path(mask_root, line.folder, line.frame_index, line.side)
        if osp.isfile(out) and not a.overwrite:
            stats['skipped'] += 1
            continue
        img = image_path(a.data_root, line.folder, line.frame_index, line.side, a.img_ext)
        if not osp.isfile(img):
            raise UserInputError(f'image not found: {img!r} (needed by {line.where})')
        todo.append((img, out))
    kw = dict(min_area=a.min_area, keep_ratio=a.keep_ratio, max_gap=a.max_gap)
    for s in range(0, len(todo), a.batch_size):
        chunk = todo[s:s + a.batch_size]
        results = inference_detector(model, [img for img, _ in chunk])
        road_results = (inference_detector(road_model, [img for img, _ in chunk])
                        if road_model is not None else [None] * len(chunk))
        for (img, out), res, rres in zip(chunk, results, road_results):
            pan = _panoptic(res)
            try:
                if pan is not None and rres is None:
                    road, inst, labels = masks_from_panoptic(pan, classes, cmap,
                                                             a.road_classes, **kw)
                else:
                    road = None
                    if rres is not None:
                        rpan = _panoptic(rres)
                        if rpan is None:
                            raise UserInputError(f'{a.road_config}: not a panoptic model')
                        road = masks_from_panoptic(rpan, road_classes, {}, a.road_classes)[0]
                    if pan is not None:
                        road_pan, inst, labels = masks_from_panoptic(pan, classes, cmap,
                                                                     a.road_classes, **kw)
                    else:
                        if road is None:
                            raise UserInputError(
                                f'{a.config} gives instances only: pass --road-config / '
                                '--road-checkpoint (a panoptic model) for the road')
                        p = res.pred_instances
                        _, inst, labels = masks_from_instances(
                            p.masks.cpu().numpy(), p.labels.cpu().numpy(),
                            p.scores.cpu().numpy(), classes, cmap, a.score_thr, road, **kw)
            except ValueError as err:
                raise UserInputError(f'{img}: {err}') from None
            replace_road_instance_masks(out, road, inst, labels)
            stats['written'] += 1
            stats['instances'] += len(labels)
    print(f"wrote {stats['written']} mask files ({stats['instances']} instances), skipped "
          f"{stats['skipped']} existing")
    return stats


if __name__ == '__main__':
    run_cli(main)
