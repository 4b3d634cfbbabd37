"""Merge FLIR ADAS v1.3 and v2 thermal annotations into one v1.3-style COCO file.

Every image keeps a ``source`` tag ('v1' / 'v2'), so the two can still be told apart
(seed 003, 2025/11/17: the merged set could not). File names become relative to the
common root (``--data-root``), the merged file's data_root in a config.

Example (the v1+v2 train and val sets of configs/thermal/yolox_s_flir-v1v2_2cls.py):
    python tools/dataset_converters/merge_flir_v1_v2.py data/ data/FLIR_v1v2/train.json \
        --v1 data/FLIR_ADAS_1_3/train/thermal_annotations.json \
        --v2 data/FLIR_ADAS_v2/images_thermal_train/coco.json
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmext.apis import run_cli  # noqa: E402


def main(argv=None) -> None:
    """Entry point."""
    from mmext.detection.datasets.flir_convert import merge_v1_v2
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('data_root', help='common root the merged file names are relative to')
    parser.add_argument('out', help='merged COCO json')
    parser.add_argument('--v1', required=True, help='v1.3 thermal_annotations.json')
    parser.add_argument('--v2', required=True, help='v2 coco.json (thermal)')
    args = parser.parse_args(argv)
    parts = []
    for tag, ann in (('v1', args.v1), ('v2', args.v2)):
        prefix = osp.relpath(osp.dirname(osp.abspath(ann)), osp.abspath(args.data_root))
        parts.append((tag, ann, prefix.replace(osp.sep, '/') + '/'))
    print(json.dumps(merge_v1_v2(parts, args.out), indent=1))


if __name__ == '__main__':
    run_cli(main)
