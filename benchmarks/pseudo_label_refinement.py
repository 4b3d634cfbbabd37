"""Pseudo-label refinement: batched vs one-box-per-call throughput, and label quality.

1. Throughput: SAM2PseudoLabeler with the ``sam2`` package backend (a tiny random SAM 2 by
   default; ``--sam2-config/--sam2-checkpoint`` for a real one) refines N boxes of one image
   in one call vs N calls with one box each, in the same process. SAM 2 encodes the image
   once per call, so batching saves N-1 image encodings.
2. Quality: on the synthetic paired set with a teacher whose boxes are enlarged by a known
   5-20% per side, precision / recall / mean IoU against the thermal GT before and after
   thermal-Otsu refinement (the weight-free backend).

Example:
    python benchmarks/pseudo_label_refinement.py --boxes 8 --repeats 3
"""
import argparse
import json
import os.path as osp
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import mmext  # noqa: E402,F401
from mmext.detection.pseudo_labels import (PseudoLabelGenerator, SAM2PseudoLabeler,  # noqa
                                           Sam2PackageBackend)
from mmext.detection.pseudo_labels.generator import format_stats  # noqa: E402
from mmext.synthetic.flir import SyntheticFLIRSpec, generate_synthetic_flir  # noqa: E402

TINY = ['++model.image_size=256', '++model.image_encoder.trunk.embed_dim=16',
        '++model.image_encoder.trunk.num_heads=1', '++model.image_encoder.trunk.stages=[1,1,2,1]',
        '++model.image_encoder.trunk.global_att_blocks=[3]',
        '++model.image_encoder.trunk.window_pos_embed_bkg_spatial_size=[4,4]',
        '++model.image_encoder.trunk.window_spec=[4,4,4,4]',
        '++model.image_encoder.neck.backbone_channel_list=[128,64,32,16]']


def throughput(args) -> None:
    """Time batched vs per-box refinement in one process."""
    if args.sam2_checkpoint:
        backend = Sam2PackageBackend(args.sam2_config, args.sam2_checkpoint, args.device)
    else:
        backend = Sam2PackageBackend('configs/sam2.1/sam2.1_hiera_t.yaml', None, args.device,
                                     hydra_overrides=TINY)
    labeler = SAM2PseudoLabeler(backend=backend, iou_thr=0.0, min_area=1)
    rng = np.random.default_rng(0)
    image = (rng.random((512, 640, 3)) * 255).astype(np.uint8)
    xy = rng.uniform([0, 0], [560, 430], (args.boxes, 2))
    boxes = np.c_[xy, xy + rng.uniform(20, 80, (args.boxes, 2))]
    labeler.refine(image, boxes[:1])  # warm-up
    batched, single = [], []
    for _ in range(args.repeats):  # alternate so drifting load hits both alike
        t = time.perf_counter()
        labeler.refine(image, boxes)
        batched.append(time.perf_counter() - t)
        t = time.perf_counter()
        for b in boxes:
            labeler.refine(image, b[None])
        single.append(time.perf_counter() - t)
    b, s = np.median(batched), np.median(single)
    print(f'refinement of {args.boxes} boxes on a 640x512 image ({"real" if args.sam2_checkpoint else "tiny random"} SAM 2, '
          f'{args.device}): batched {b * 1e3:.1f} ms/image, one box per call '
          f'{s * 1e3:.1f} ms/image, ratio {s / b:.2f}x')


def quality(args) -> None:
    """Pseudo-label quality before/after refinement with known box noise."""
    with tempfile.TemporaryDirectory() as root:
        generate_synthetic_flir(root, SyntheticFLIRSpec(splits={'train': args.frames}, seed=4))
        with open(osp.join(root, 'train', 'rgb_annotations.json')) as f:
            data = json.load(f)
        rng = np.random.default_rng(0)
        for a in data['annotations']:
            x, y, w, h = a['bbox']
            d = rng.uniform(0.05, 0.2, 4) * [w, h, w, h]
            a['bbox'] = [x - d[0], y - d[1], w + d[0] + d[2], h + d[1] + d[3]]
        with open(osp.join(root, 'train', 'noisy.json'), 'w') as f:
            json.dump(data, f)
        gen = PseudoLabelGenerator(
            source=dict(data_root=osp.join(root, 'train'), ann_file='thermal_annotations.json',
                        rgb_dir='RGB'),
            teacher=dict(type='coco_file', ann_file=osp.join(root, 'train', 'noisy.json')),
            class_map=dict(person='person', bicycle='bicycle', car='car'), score_thr=0.0,
            rgb_to_thermal=osp.join(root, 'rgb_to_thermal_homography.json'),
            refiner=dict(type='SAM2PseudoLabeler', backend=dict(type='thermal_otsu'),
                         iou_thr=0.5))
        out = gen.run(osp.join(root, 'out'))
        with open(osp.join(osp.dirname(out), 'stats.json')) as f:
            print(f'{args.frames} synthetic frames, teacher boxes enlarged 5-20% per side, '
                  'thermal Otsu refinement (raw = mapped only):')
            print(format_stats(json.load(f)))


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--boxes', type=int, default=8)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--frames', type=int, default=60)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--sam2-config', default='configs/sam2.1/sam2.1_hiera_l.yaml')
    parser.add_argument('--sam2-checkpoint', default=None)
    args = parser.parse_args()
    throughput(args)
    quality(args)


if __name__ == '__main__':
    main()
