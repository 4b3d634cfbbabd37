"""Cut a COCO detector checkpoint's class head to FLIR classes, keeping their COCO rows.

The student then starts from COCO with a head that already knows person and car (and, for
FLIR v1.3's bicycle, the mean of COCO's bicycle and motorcycle rows).

Example:
    python tools/model_converters/coco_head_to_flir.py \
        checkpoints/yolox_s_8x8_300e_coco_20211121_095711-4592a793.pth \
        checkpoints/yolox_s_coco_person_car.pth --classes person car
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmext.apis import run_cli  # noqa: E402
from mmext.apis.inputs import check_checkpoint  # noqa: E402
from mmext.utils.errors import UserInputError  # noqa: E402


def main(argv=None) -> None:
    """Entry point."""
    import torch
    from mmdet.datasets import CocoDataset

    from mmext.detection.head_surgery import cut_checkpoint
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='COCO checkpoint (mmdet model zoo)')
    parser.add_argument('out', help='output checkpoint')
    parser.add_argument('--classes', nargs='+', required=True,
                        help='target classes in label order, e.g. person car')
    parser.add_argument('--source', nargs='*', default=[], metavar='CLASS=COCO[+COCO]',
                        help='override the COCO rows of a class, e.g. bicycle=bicycle')
    args = parser.parse_args(argv)
    check_checkpoint(args.checkpoint, 'COCO checkpoint')
    sources = {}
    for item in args.source:
        if '=' not in item:
            raise UserInputError(f'--source expects CLASS=COCO[+COCO], got {item!r}')
        k, v = item.split('=', 1)
        sources[k] = tuple(v.split('+'))
    ckpt = torch.load(args.checkpoint, map_location='cpu', weights_only=False)
    if not isinstance(ckpt, dict) or 'state_dict' not in ckpt:
        ckpt = dict(state_dict=ckpt)
    coco = (ckpt.get('meta') or {}).get('dataset_meta', {}).get('classes') or \
        CocoDataset.METAINFO['classes']
    out, cut = cut_checkpoint(ckpt, args.classes, list(coco), sources)
    torch.save(out, args.out)
    rows = out['meta']['head_surgery']['rows']
    for name, r in zip(args.classes, rows):
        print(f'{name}: rows {r} ({" + ".join(coco[i] for i in r)})')
    print(f'cut {len(cut)} tensors -> {args.out}')


if __name__ == '__main__':
    run_cli(main)
