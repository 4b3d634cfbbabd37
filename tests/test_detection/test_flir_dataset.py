"""FLIRDataset: v1.3 layout with RGB pairing by frame id, v2 pairing via the video map,
class subsets by name."""
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from mmext.detection.datasets import FLIRDataset
from mmext.synthetic.flir import SyntheticFLIRSpec, generate_synthetic_flir
from mmext.utils.errors import UserInputError

SPEC = SyntheticFLIRSpec(splits={'train': 10}, thermal_size=(160, 128), rgb_size=(200, 160),
                         missing_rgb_ratio=0.3, seed=11)


@pytest.fixture(scope='module')
def v1_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('flir'))
    summary = generate_synthetic_flir(root, SPEC)
    return root, summary


def _v1(root, **kw):
    return FLIRDataset(data_root=osp.join(root, 'train'), ann_file='thermal_annotations.json',
                       data_prefix=dict(img=''), pipeline=[], **kw)


def test_v1_loads_all_frames_and_boxes(v1_root):
    root, summary = v1_root
    ds = _v1(root, filter_cfg=None)
    assert len(ds) == 10
    n_boxes = sum(len(ds.get_data_info(i)['instances']) for i in range(len(ds)))
    assert n_boxes == sum(summary['train']['objects'].values())
    assert ds.get_data_info(0)['img_path'].endswith('thermal_8_bit/FLIR_00001.jpeg')


def test_v1_rgb_pairing_counts_and_skips(v1_root):
    root, summary = v1_root
    missing = summary['train']['frames_without_rgb']
    assert missing >= 1
    paired = _v1(root, rgb_dir='RGB', filter_cfg=None)
    assert len(paired) == 10 and paired.unpaired_count == missing
    with_rgb = [paired.get_data_info(i)['rgb_path'] for i in range(10)]
    assert sum(p is None for p in with_rgb) == missing
    for p in with_rgb:
        if p is not None:
            assert osp.isfile(p) and p.endswith('.jpg')
    skipped = _v1(root, rgb_dir='RGB', skip_unpaired=True, filter_cfg=None)
    assert len(skipped) == 10 - missing


def test_class_subset_by_name(v1_root):
    root, summary = v1_root
    ds = _v1(root, metainfo=dict(classes=('car', )), filter_cfg=None)
    labels = [inst['bbox_label'] for i in range(len(ds))
              for inst in ds.get_data_info(i)['instances']]
    assert set(labels) == {0} and len(labels) == summary['train']['objects']['car']
    with pytest.raises(UserInputError, match="no categories named \\['tram'\\]"):
        _v1(root, metainfo=dict(classes=('car', 'tram')))


def test_v2_pairing_via_video_map(tmp_path):
    therm = tmp_path / 'video_thermal_test' / 'data'
    rgb = tmp_path / 'video_rgb_test' / 'data'
    therm.mkdir(parents=True)
    rgb.mkdir(parents=True)
    names = [f'video-abc-frame-{i:06d}-XyZ.jpg' for i in range(3)]
    images, anns = [], []
    for i, name in enumerate(names):
        cv2.imwrite(str(therm / name), np.zeros((16, 20), np.uint8))
        images.append(dict(id=i, file_name=f'data/{name}', width=20, height=16))
        anns.append(dict(id=i + 1, image_id=i, category_id=1, bbox=[2, 2, 5, 8], area=40,
                         iscrowd=0))
    with open(tmp_path / 'video_thermal_test' / 'coco.json', 'w') as f:
        json.dump(dict(images=images, annotations=anns,
                       categories=[dict(id=1, name='person'), dict(id=2, name='bike'),
                                   dict(id=3, name='car')]), f)
    rgb_names = [f'video-abc-frame-{i:06d}-RGB.jpg' for i in range(3)]
    for n in rgb_names[:2]:  # the third RGB frame is absent
        cv2.imwrite(str(rgb / n), np.zeros((16, 20, 3), np.uint8))
    with open(tmp_path / 'rgb_to_thermal_vid_map.json', 'w') as f:
        json.dump({r: t for r, t in zip(rgb_names, names)}, f)
    ds = FLIRDataset(data_root=str(tmp_path / 'video_thermal_test'), ann_file='coco.json',
                     data_prefix=dict(img=''), metainfo=dict(classes=('person', 'bike', 'car')),
                     rgb_dir='../video_rgb_test/data',
                     rgb_map_file=str(tmp_path / 'rgb_to_thermal_vid_map.json'),
                     skip_unpaired=True, pipeline=[], filter_cfg=None)
    assert len(ds) == 2 and ds.unpaired_count == 1
    assert [osp.basename(ds.get_data_info(i)['rgb_path']) for i in range(2)] == rgb_names[:2]
    assert os.path.basename(ds.get_data_info(0)['img_path']) == names[0]


def test_labels_follow_config_class_order_not_file_order(v1_root):
    """mmdet numbers labels in the file's category order; FLIRDataset uses the config's."""
    root, summary = v1_root
    ds = _v1(root, metainfo=dict(classes=('car', 'person')), filter_cfg=None)
    with open(osp.join(root, 'train', 'thermal_annotations.json')) as f:
        anns = json.load(f)['annotations']
    by_img = {}
    for a in anns:
        by_img.setdefault(a['image_id'], []).append(a['category_id'])
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        labels = sorted(inst['bbox_label'] for inst in info['instances'])
        expected = sorted({3: 0, 1: 1}[c] for c in by_img.get(info['img_id'], []) if c in (1, 3))
        assert labels == expected
    assert ds.cat_ids == [3, 1]
