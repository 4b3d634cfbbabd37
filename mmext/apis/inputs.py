"""Pre-flight checks of a config's inputs: data roots, annotation files, checkpoints.

They run before the Runner is built, so a missing data set or a wrong file gives one clear
message naming the path and how to get the data, not a traceback from deep inside mmengine.
A dataset class can say how to get its data with a ``DATA_HINT`` class attribute.
"""
import json
import os.path as osp
from typing import Iterator, Optional, Tuple

from mmengine.config import Config

from mmext.utils.errors import UserInputError, missing_path_message

_GENERIC_HINT = 'See data/README.md for where each data set goes and how to generate ' \
                'the synthetic ones.'
# COCO files larger than this are not parsed by the pre-flight check (cost); the dataset
# still validates them when it loads.
_MAX_COCO_CHECK_BYTES = 200 * 1024 * 1024


def _dataset_cfgs(cfg: dict) -> Iterator[dict]:
    """Yield a dataset config and every dataset nested in wrappers (Concat, Repeat, ...)."""
    if not isinstance(cfg, dict):
        return
    yield cfg
    inner = cfg.get('dataset')
    if isinstance(inner, dict):
        yield from _dataset_cfgs(inner)
    for item in cfg.get('datasets', []) or []:
        yield from _dataset_cfgs(item)


def data_hint(dataset_type) -> str:
    """Return the ``DATA_HINT`` of a registered dataset type (or the generic hint)."""
    from mmext.registry import DATASETS

    cls = dataset_type
    if isinstance(dataset_type, str):
        try:
            cls = DATASETS.get(dataset_type)
        except Exception:  # an unregistered name is reported later by the Runner
            cls = None
    return getattr(cls, 'DATA_HINT', None) or _GENERIC_HINT


def check_coco_file(path: str, hint: str = _GENERIC_HINT) -> dict:
    """Load ``path`` and check it is a COCO detection file; return the parsed dict.

    Raises:
        UserInputError: naming the file, when it is missing, not JSON, or lacks the
            ``images`` / ``annotations`` / ``categories`` lists.
    """
    if not osp.isfile(path):
        raise UserInputError(missing_path_message('annotation file', path, hint))
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise UserInputError(
            f'annotation file {path!r} is not valid JSON ({err}); expected a COCO detection '
            f'file with "images", "annotations" and "categories". {hint}') from None
    missing = [k for k in ('images', 'annotations', 'categories')
               if not isinstance(data, dict) or not isinstance(data.get(k), list)]
    if missing:
        found = sorted(data)[:8] if isinstance(data, dict) else type(data).__name__
        raise UserInputError(
            f'annotation file {path!r} is not a COCO detection file: missing list(s) '
            f'{missing} (found keys {found}). {hint}')
    return data


def _resolve(data_root: Optional[str], path: str) -> str:
    if data_root and not osp.isabs(path):
        return osp.join(data_root, path)
    return path


def _iter_dataloader_datasets(cfg: Config) -> Iterator[Tuple[str, dict]]:
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if isinstance(loader, dict) and isinstance(loader.get('dataset'), dict):
            for ds in _dataset_cfgs(loader['dataset']):
                yield key, ds


def check_config_inputs(cfg: Config, splits=('train', 'val', 'test')) -> None:
    """Check the data roots, annotation files and checkpoints a config refers to.

    Datasets configured with ``generate_if_missing=True`` (synthetic twins that write their
    data on first use) are not checked.

    Args:
        cfg: the merged config.
        splits: which dataloaders to check (``'train'``, ``'val'``, ``'test'``); a tool
            only checks the ones it will use.

    Raises:
        UserInputError: for the first missing or malformed input, naming it.
    """
    for key, ds in _iter_dataloader_datasets(cfg):
        if key.split('_')[0] not in splits:
            continue
        if ds.get('generate_if_missing'):
            continue  # the dataset writes its synthetic data on first use
        hint = data_hint(ds.get('type'))
        root = ds.get('data_root')
        if root and not osp.isdir(root):
            raise UserInputError(missing_path_message(
                f'data root of {key} ({ds.get("type")})', root, hint))
        ann = ds.get('ann_file')
        if ann:
            ann_path = _resolve(root, ann)
            if not osp.isfile(ann_path):
                raise UserInputError(missing_path_message(
                    f'annotation file of {key} ({ds.get("type")})', ann_path, hint))
            if ann_path.endswith('.json') and _is_coco_type(ds.get('type')) and \
                    osp.getsize(ann_path) <= _MAX_COCO_CHECK_BYTES:
                check_coco_file(ann_path, hint)
    load_from = cfg.get('load_from')
    if load_from and not _is_remote(load_from) and not osp.isfile(load_from):
        raise UserInputError(missing_path_message(
            'checkpoint (load_from)', load_from,
            'Give an existing .pth file, e.g. from a previous run\'s work dir.'))


def check_checkpoint(path: str, what: str = 'checkpoint') -> None:
    """Raise :class:`UserInputError` when a local checkpoint path does not exist."""
    if not _is_remote(path) and not osp.isfile(path):
        raise UserInputError(missing_path_message(
            what, path, 'Give an existing .pth file (work_dirs/<config>/epoch_N.pth or '
            'the file named in last_checkpoint).'))


def _is_remote(path: str) -> bool:
    return '://' in path


def _is_coco_type(dataset_type) -> bool:
    from mmdet.datasets import CocoDataset

    from mmext.registry import DATASETS
    if isinstance(dataset_type, str):
        try:
            dataset_type = DATASETS.get(dataset_type)
        except Exception:
            return False
    return isinstance(dataset_type, type) and issubclass(dataset_type, CocoDataset)
