"""Run the pseudo-label step of a config before training (rank 0 only under DDP)."""
import os.path as osp
from typing import Optional

from mmengine.config import Config
from mmengine.dist import barrier, broadcast_object_list, get_rank, is_distributed

from .generator import PseudoLabelGenerator


def prepare_pseudo_labels(cfg: Config) -> Optional[str]:
    """Generate (or re-use) ``cfg.pseudo_labels`` and point the train set at the result.

    The config's ``pseudo_labels`` dict holds :class:`PseudoLabelGenerator`'s arguments; the
    labels go to ``<work_dir>/pseudo_labels/<key>/pseudo_coco.json`` (or under
    ``cfg.pseudo_label_cache`` when set, e.g. shared by HPO trials) and become
    ``train_dataloader.dataset.ann_file``. Under DDP rank 0 generates while the other ranks
    wait, then every rank uses the same file. Returns the file, or None without the key.
    """
    spec = cfg.get('pseudo_labels')
    if not spec:
        return None
    generator = PseudoLabelGenerator(**spec)
    path = [None]
    if get_rank() == 0:
        cache = cfg.get('pseudo_label_cache') or osp.join(cfg.work_dir, 'pseudo_labels')
        path[0] = generator.run(cache)
    if is_distributed():
        barrier()
        broadcast_object_list(path, src=0)
    dataset = cfg.train_dataloader.dataset
    while 'ann_file' not in dataset and 'dataset' in dataset:  # wrappers (Repeat, MixImage)
        dataset = dataset.dataset
    dataset.ann_file = osp.abspath(path[0])
    return path[0]
