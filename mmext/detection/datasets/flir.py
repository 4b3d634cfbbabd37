"""FLIR ADAS thermal detection data (v1.3 layout; COCO annotations with FLIR category ids)."""
from typing import List

from mmdet.datasets import CocoDataset

from mmext.apis.inputs import check_coco_file
from mmext.registry import DATASETS

FLIR_DATA_HINT = (
    'Real data: request FLIR ADAS (v1.3 or v2) at https://www.flir.com/oem/adas/'
    'adas-dataset-form/ and unpack it as described in data/README.md. Synthetic data in the '
    'same layout: python tools/dataset_converters/make_synthetic_flir.py data/synthetic_flir')


@DATASETS.register_module()
class FLIRDataset(CocoDataset):
    """FLIR ADAS thermal frames with COCO annotations.

    v1.3 (``<split>/thermal_annotations.json``, images under ``thermal_8_bit/``, category ids
    1 person, 2 bicycle, 3 car, 18 dog, 91 other vehicle) and the synthetic set written by
    :mod:`mmext.synthetic.flir` share this layout. Categories are matched *by name* against
    ``metainfo['classes']``, so a class subset is chosen in the config::

        dataset=dict(type='FLIRDataset', data_root='data/FLIR_ADAS_1_3/train/',
                     ann_file='thermal_annotations.json', data_prefix=dict(img=''),
                     metainfo=dict(classes=('person', 'car')))

    The annotation file is checked to be COCO before loading; a wrong file gives a
    :class:`~mmext.utils.errors.UserInputError` naming it.
    """

    METAINFO = {
        'classes': ('person', 'bicycle', 'car'),
        'palette': [(220, 20, 60), (119, 11, 32), (0, 0, 142)],
    }
    DATA_HINT = FLIR_DATA_HINT

    def load_data_list(self) -> List[dict]:
        """Validate the annotation file, then load it as mmdet's CocoDataset does."""
        data = check_coco_file(self.ann_file, self.DATA_HINT)
        names = {c.get('name') for c in data['categories']}
        unknown = [c for c in self.metainfo['classes'] if c not in names]
        if unknown:
            raise_msg = (f'annotation file {self.ann_file!r} has no categories named '
                         f'{unknown}; its categories are {sorted(n for n in names if n)}. '
                         'Set metainfo.classes in the dataset config to a subset of them.')
            from mmext.utils.errors import UserInputError
            raise UserInputError(raise_msg)
        return super().load_data_list()
