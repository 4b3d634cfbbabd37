"""FLIR ADAS thermal detection data (v1.3 and v2 layouts; COCO annotations)."""
import json
import os.path as osp
from typing import List, Optional, Union

from mmdet.datasets import CocoDataset
from mmengine.logging import MMLogger

from mmext.apis.inputs import check_coco_file
from mmext.registry import DATASETS
from mmext.utils.data_errors import record_skipped, sample_errors
from mmext.utils.errors import UserInputError, missing_path_message

FLIR_DATA_HINT = (
    'Real data: request FLIR ADAS (v1.3 or v2) at https://www.flir.com/oem/adas/'
    'adas-dataset-form/ and unpack it as described in data/README.md. Synthetic data in the '
    'same layout: python tools/dataset_converters/make_synthetic_flir.py data/synthetic_flir')


@DATASETS.register_module()
class FLIRDataset(CocoDataset):
    """FLIR ADAS thermal frames with COCO annotations, optionally paired with RGB frames.

    Layouts (``data_root`` is one split folder):

    * v1.3: ``thermal_8_bit/FLIR_#####.jpeg``, ``RGB/FLIR_#####.jpg``,
      ``thermal_annotations.json`` (ids 1 person, 2 bicycle, 3 car, 18 dog, 91 other
      vehicle). RGB frames pair by frame id (file stem). The synthetic set of
      :mod:`mmext.synthetic.flir` has this layout.
    * v2: ``images_thermal_<split>/{data/, coco.json}`` and ``images_rgb_<split>/...``; only
      the video split ships a pairing file, ``rgb_to_thermal_vid_map.json``
      (RGB file name -> thermal file name), given as ``rgb_map_file``.

    Categories are matched *by name* against ``metainfo['classes']``, so a class subset is a
    config choice (v2 names bicycles ``'bike'``)::

        dataset=dict(type='FLIRDataset', data_root='data/FLIR_ADAS_1_3/train/',
                     ann_file='thermal_annotations.json', data_prefix=dict(img=''),
                     metainfo=dict(classes=('person', 'car')))

    Args:
        rgb_dir: folder of the paired RGB frames (relative to ``data_root``), e.g. ``'RGB'``
            (v1.3) or ``'../images_rgb_val/data'`` (v2). None: no pairing.
        rgb_suffix: file suffix of RGB frames when pairing by stem (v1.3: ``'.jpg'``).
        rgb_map_file: v2 JSON mapping RGB file names to thermal file names; when given,
            pairing uses it instead of the stem.
        skip_unpaired: drop frames without an RGB partner (counted and logged). Needed by the
            pseudo-label pipeline, which labels thermal frames from their RGB partners.
        **kwargs: as mmdet's :class:`~mmdet.datasets.CocoDataset`.

    With pairing, each data info has ``rgb_path``; ``unpaired_count`` holds how many
    frames had no RGB partner.
    """

    METAINFO = {
        'classes': ('person', 'bicycle', 'car'),
        'palette': [(220, 20, 60), (119, 11, 32), (0, 0, 142)],
    }
    DATA_HINT = FLIR_DATA_HINT

    def __init__(self, *args, rgb_dir: Optional[str] = None, rgb_suffix: str = '.jpg',
                 rgb_map_file: Optional[str] = None, skip_unpaired: bool = False,
                 **kwargs) -> None:
        self.rgb_dir = rgb_dir
        self.rgb_suffix = rgb_suffix
        self.rgb_map_file = rgb_map_file
        self.skip_unpaired = skip_unpaired
        self.unpaired_count = 0
        super().__init__(*args, **kwargs)

    def prepare_data(self, idx: int):
        """Load sample ``idx``; a bad file is named with the sample (mmext.utils.data_errors)."""
        with sample_errors(self, idx):
            return super().prepare_data(idx)

    def load_data_list(self) -> List[dict]:
        """Validate the annotation file, load it as CocoDataset does, then pair RGB."""
        data = check_coco_file(self.ann_file, self.DATA_HINT)
        names = {c.get('name') for c in data['categories']}
        unknown = [c for c in self.metainfo['classes'] if c not in names]
        if unknown:
            raise UserInputError(
                f'annotation file {self.ann_file!r} has no categories named {unknown}; its '
                f'categories are {sorted(n for n in names if n)}. Set metainfo.classes in '
                'the dataset config to a subset of them.')
        data_list = super().load_data_list()
        self._labels_in_class_order(data_list, data['categories'])
        if self.rgb_dir is None:
            return data_list
        return self._pair_rgb(data_list)

    def parse_data_info(self, raw_data_info: dict) -> dict:
        """As CocoDataset, plus the image's ``source`` tag of a merged v1+v2 file."""
        info = super().parse_data_info(raw_data_info)
        source = raw_data_info['raw_img_info'].get('source')
        if source is not None:
            info['source'] = source
        return info

    def _labels_in_class_order(self, data_list: List[dict], categories: List[dict]) -> None:
        """Make ``bbox_label`` index ``metainfo['classes']`` in the order given.

        mmdet's CocoDataset numbers labels in the order the categories appear in the file
        (``get_cat_ids`` filters the file's list), so ``classes=('car', 'person')`` on a
        file listing person first would call persons "car". Labels are re-mapped by name.
        """
        classes = list(self.metainfo['classes'])
        file_order = [c['name'] for c in categories if c['name'] in classes]
        by_name = {c['name']: c['id'] for c in categories if c['name'] in classes}
        remap = {i: classes.index(name) for i, name in enumerate(file_order)}
        for info in data_list:
            for inst in info['instances']:
                inst['bbox_label'] = remap[inst['bbox_label']]
        self.cat_ids = [by_name[name] for name in classes]
        self.cat2label = {cat_id: i for i, cat_id in enumerate(self.cat_ids)}

    def _rgb_root(self) -> str:
        root = self.rgb_dir
        if self.data_root and not osp.isabs(root):
            root = osp.join(self.data_root, root)
        if not osp.isdir(root):
            raise UserInputError(missing_path_message('RGB folder (rgb_dir)', root,
                                                      self.DATA_HINT))
        return root

    def _thermal_to_rgb_names(self) -> Optional[dict]:
        if self.rgb_map_file is None:
            return None
        path = self.rgb_map_file
        if self.data_root and not osp.isabs(path):
            path = osp.join(self.data_root, path)
        if not osp.isfile(path):
            raise UserInputError(missing_path_message('RGB-thermal map (rgb_map_file)', path,
                                                      self.DATA_HINT))
        with open(path, encoding='utf-8') as f:
            rgb_to_thermal = json.load(f)
        if not isinstance(rgb_to_thermal, dict):
            raise UserInputError(f'{path!r} must map RGB file names to thermal file names '
                                 f'(a JSON object), got {type(rgb_to_thermal).__name__}')
        return {osp.basename(t): r for r, t in rgb_to_thermal.items()}

    def _pair_rgb(self, data_list: List[dict]) -> List[dict]:
        root = self._rgb_root()
        mapping = self._thermal_to_rgb_names()
        kept, skipped = [], []
        for info in data_list:
            name = osp.basename(info['img_path'])
            if mapping is not None:
                rgb_name: Union[str, None] = mapping.get(name)
            else:
                rgb_name = osp.splitext(name)[0] + self.rgb_suffix
            rgb_path = osp.join(root, osp.basename(rgb_name)) if rgb_name else None
            if rgb_path is None or not osp.isfile(rgb_path):
                self.unpaired_count += 1
                if self.skip_unpaired:
                    skipped.append(name)
                    continue
                rgb_path = None
            kept.append(dict(info, rgb_path=rgb_path))
        if data_list and self.unpaired_count == len(data_list):
            example = osp.basename(data_list[0]['img_path'])
            tried = (f'its entry in {self.rgb_map_file!r}' if mapping is not None else
                     repr(osp.join(root, osp.splitext(example)[0] + self.rgb_suffix)))
            raise UserInputError(
                f'no thermal frame of {self.ann_file!r} has an RGB partner in rgb_dir {root!r} '
                f'(e.g. {example!r} -> {tried}). v1.3 pairs by frame name (RGB/FLIR_#####.jpg);'
                ' FLIR v2 pairs only through rgb_map_file (rgb_to_thermal_vid_map.json, the '
                'video split) or a pairing file of the same form for other splits.')
        MMLogger.get_current_instance().info(
            f'FLIRDataset {self.ann_file}: {len(data_list) - self.unpaired_count} of '
            f'{len(data_list)} thermal frames have an RGB partner; '
            f'{self.unpaired_count} without' + (' skipped' if self.skip_unpaired else ''))
        record_skipped(self, 'no RGB partner', skipped, split=str(self.ann_file))
        return kept
