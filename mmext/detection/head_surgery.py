"""Cut a COCO detector checkpoint's classification head down to other (FLIR) classes.

Seed 003 (2025/06/02): "do not just change 80 classes to 2" -- a student started from COCO
weights with a freshly initialised 2-class head forgets what the COCO head knew about
person and car. :func:`cut_class_head` keeps, for every target class, the head rows of its
COCO source class(es) (the mean of the rows when several sources feed one class, e.g. FLIR
v1.3 ``bicycle`` = COCO bicycle + motorcycle), and leaves every other weight as it is.

Head tensors are found by name (``multi_level_conv_cls`` for YOLOX, ``conv_cls``,
``fc_cls``, ``cls_score`` for other mmdet heads) and by their first dimension, which must
equal the number of source classes. Both ``state_dict`` and ``ema_state_dict`` are cut.
"""
import re
from typing import Dict, List, Sequence, Tuple

import torch

from mmext.utils.errors import UserInputError

CLS_KEY = re.compile(r'(multi_level_conv_cls|conv_cls|fc_cls|cls_score|retina_cls)'
                     r'(\.\d+)?\.(weight|bias)$')
# FLIR class name -> COCO class names whose rows it keeps (v1.3 and v2 names).
DEFAULT_SOURCES = {
    'person': ('person', ), 'car': ('car', ), 'bicycle': ('bicycle', 'motorcycle'),
    'bike': ('bicycle', ), 'motor': ('motorcycle', ), 'dog': ('dog', ), 'bus': ('bus', ),
    'truck': ('truck', ), 'train': ('train', ), 'light': ('traffic light', ),
    'hydrant': ('fire hydrant', ), 'sign': ('stop sign', ), 'skateboard': ('skateboard', )}


def class_sources(targets: Sequence[str], source_classes: Sequence[str],
                  sources: Dict[str, Sequence[str]] = None) -> List[List[int]]:
    """Row indices (into ``source_classes``) feeding each target class."""
    table = dict(DEFAULT_SOURCES, **(sources or {}))
    rows = []
    for t in targets:
        names = table.get(t, (t, ))
        missing = [n for n in names if n not in source_classes]
        if missing:
            raise UserInputError(f'target class {t!r} takes the head rows of {list(names)}, '
                                 f'but {missing} are not classes of the checkpoint; give '
                                 f'--source {t}=<checkpoint class>[+<class>]')
        rows.append([list(source_classes).index(n) for n in names])
    return rows


def cut_class_head(state_dict: Dict[str, torch.Tensor], rows: List[List[int]],
                   num_source: int) -> Tuple[Dict[str, torch.Tensor], List[str]]:
    """Return a copy of ``state_dict`` with every class-head tensor cut to ``rows``.

    Args:
        state_dict: the detector's weights.
        rows: for each target class, the source rows to keep (averaged when several).
        num_source: number of classes of the checkpoint's head.

    Returns:
        (new state dict, names of the tensors that were cut).
    """
    out, cut = {}, []
    for key, value in state_dict.items():
        if CLS_KEY.search(key) and torch.is_tensor(value) and value.dim() >= 1 \
                and value.shape[0] == num_source:
            out[key] = torch.stack([value[r].mean(0) for r in rows]).to(value.dtype)
            cut.append(key)
        else:
            out[key] = value
    if not cut:
        raise UserInputError(f'no classification-head tensor with {num_source} rows found '
                             '(looked for multi_level_conv_cls / conv_cls / fc_cls / cls_score)')
    return out, cut


def cut_checkpoint(ckpt: dict, targets: Sequence[str], source_classes: Sequence[str],
                   sources: Dict[str, Sequence[str]] = None) -> Tuple[dict, List[str]]:
    """Cut ``state_dict`` (and ``ema_state_dict``) of a loaded checkpoint; set its classes."""
    rows = class_sources(targets, source_classes, sources)
    out = dict(ckpt)
    cut_all: List[str] = []
    for field in ('state_dict', 'ema_state_dict'):
        if field in ckpt:
            out[field], cut = cut_class_head(ckpt[field], rows, len(source_classes))
            cut_all += [f'{field}.{k}' for k in cut]
    if not cut_all:
        raise UserInputError('checkpoint has no "state_dict"')
    meta = dict(out.get('meta') or {})
    meta['dataset_meta'] = dict(meta.get('dataset_meta') or {}, classes=tuple(targets))
    meta['head_surgery'] = dict(source_classes=list(source_classes), targets=list(targets),
                                rows=rows)
    out['meta'] = meta
    out.pop('optimizer', None)
    out.pop('message_hub', None)
    return out, cut_all
