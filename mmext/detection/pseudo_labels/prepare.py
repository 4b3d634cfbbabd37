"""Run the pseudo-label step of a config before training (rank 0 only under DDP).

Registered as the experiment preparer of the config field ``pseudo_labels``, so
``tools/train.py`` reaches it through :func:`mmext.apis.prepare_experiment` without the
apis knowing the detection family.
"""
import os.path as osp
import warnings
from typing import Optional

from mmengine.config import Config
from mmengine.dist import barrier, broadcast_object_list, get_rank, is_distributed
from mmengine.logging import MMLogger

from mmext.registry import EXPERIMENT_PREPARERS

from .generator import PseudoLabelGenerator

# FLIR's official test split: v1.3 ``video/``, v2 ``video_thermal_test/``.
TEST_SPLIT_DIRS = ('video', 'video_thermal_test', 'video_rgb_test')


def is_official_test_split(data_root: str) -> bool:
    """True when ``data_root`` is FLIR's official test (video) split folder."""
    return osp.basename(osp.normpath(data_root or '.')) in TEST_SPLIT_DIRS


def _innermost_dataset(dataset):
    while 'ann_file' not in dataset and 'dataset' in dataset:  # wrappers (Repeat, MixImage)
        dataset = dataset.dataset
    return dataset


@EXPERIMENT_PREPARERS.register_module(name='pseudo_labels')
def prepare_pseudo_labels(cfg: Config) -> Optional[str]:
    """Generate (or re-use) ``cfg.pseudo_labels`` and point the train set at the result.

    The config's ``pseudo_labels`` dict holds :class:`PseudoLabelGenerator`'s arguments; the
    labels go to ``<work_dir>/pseudo_labels/<key>/pseudo_coco.json`` (or under
    ``cfg.pseudo_label_cache`` when set, e.g. shared by HPO trials). The train set then
    reads the labelled frames where they are: its ``ann_file`` becomes the labels and its
    ``data_root`` / ``data_prefix.img`` become the pseudo-label source's (with FLIR v2's
    ``rgb_to_thermal_vid_map.json`` the source is another folder than the GT train split).
    Its classes, in their order, are the labels' classes. Training on FLIR's official test
    (video) split warns. Under DDP rank 0 generates while the other ranks wait, then every
    rank uses the same file. Returns the file, or None without the key.
    """
    spec = cfg.get('pseudo_labels')
    if not spec:
        return None
    spec = dict(spec)
    dataset = _innermost_dataset(cfg.train_dataloader.dataset)
    classes = (dataset.get('metainfo') or {}).get('classes')
    if classes is not None and 'classes' not in spec:
        spec['classes'] = list(classes)
    generator = PseudoLabelGenerator(**spec)
    path = [None]
    if get_rank() == 0:
        cache = cfg.get('pseudo_label_cache') or osp.join(cfg.work_dir, 'pseudo_labels')
        path[0] = generator.run(cache)
    if is_distributed():
        barrier()
        broadcast_object_list(path, src=0)
    source = generator.source
    dataset.ann_file = osp.abspath(path[0])
    dataset.data_root = source.get('data_root', '')
    dataset.data_prefix = dict(dataset.get('data_prefix') or {},
                               img=source.get('img_prefix', ''))
    if is_official_test_split(dataset.data_root):
        msg = (f'the student trains on {dataset.data_root!r}, FLIR\'s official test (video) '
               'split (the only v2 split with RGB-thermal pairs): do not report results on '
               'that split')
        MMLogger.get_current_instance().warning(msg)
        warnings.warn(msg, stacklevel=2)
    return path[0]
