"""mmcv's compiled ops on CUDA when mmcv was built without its CUDA kernels.

``tools/setup_env.sh`` builds mmcv's CUDA kernels when it finds an NVIDIA GPU and nvcc
(see the README's "GPU and cluster" section). When mmcv was nevertheless built for CPU only
(set up on a CPU machine and copied, or no nvcc), mmcv dispatches its ops by device and a
CUDA tensor stops with ``nms_impl: implementation for device cuda:0 not found``.

The mmcv ops that mmext's shipped configs reach on a device are listed in
:data:`MMCV_OPS_REACHED` (found by recording every call into ``mmcv._ext`` while each
family's configs train and predict; ``tests/test_compat.py`` re-checks it for the detection
chain). Only ``nms`` is reached, by mmdet's ``batched_nms`` in YOLOX's
``predict_by_feat`` (student validation/test and the mmdet teacher of the pseudo-label
step). :func:`install_nms_route` (applied by ``import mmext``) wraps mmcv's ``nms`` kernel:

* boxes/scores in float16/bfloat16 (YOLOX's post-processing under autocast) are cast to
  float32 first -- mmcv's CPU and CUDA kernels read float32 only and otherwise stop with
  "expected scalar type Float";
* CUDA tensors with an mmcv built without CUDA kernels go to ``torchvision.ops.nms``, with
  one warning; every other call runs mmcv's own kernel. The route keeps the boxes mmcv's
  NMS keeps: same descending ``torch.sort`` of the scores, the same IoU arithmetic
  (``inter / (area_i + area_j - inter) > thr``), the kept indices in score order.
"""
import warnings
from typing import Callable, Optional

import torch
from torch import Tensor

#: mmcv ops (names in ``mmcv._ext``) that mmext's configs reach, per family. The depth,
#: self-supervised and slot families use mmcv only for transforms and ``mmcv.cnn`` modules,
#: which are plain PyTorch.
MMCV_OPS_REACHED = {
    'thermal (YOLOX student validation/test, mmdet YOLOX teacher)': ('nms', ),
    'food (Depth Anything V2, UniDepth)': (),
    'selfsup (monodepth2 / FUMET)': (),
    'slots (DINOSAUR, pixel Slot Attention)': (),
}

_STATE = {'installed': False, 'warned': False, 'original': None, 'cuda_ops': None}
_HALF = (torch.float16, torch.bfloat16)


def mmcv_has_cuda_ops() -> bool:
    """Whether the installed mmcv was compiled with its CUDA kernels."""
    from mmcv.ops import get_compiling_cuda_version
    return get_compiling_cuda_version() not in ('not available', '', None)


def nms_like_mmcv(boxes: Tensor, scores: Tensor, iou_threshold: float,
                  offset: int = 0) -> Tensor:
    """mmcv's ``nms`` kernel (``ext_module.nms``) computed with ``torchvision.ops.nms``.

    Args:
        boxes: (N, 4) float boxes, x1 y1 x2 y2.
        scores: (N,) float scores.
        iou_threshold: boxes overlapping a kept box by IoU strictly above it are dropped.
        offset: 0 (default) or 1 (legacy: widths are ``x2 - x1 + 1``).

    Returns:
        Long indices of the kept boxes, highest score first (mmcv's order).
    """
    import torchvision

    if boxes.numel() == 0:
        return boxes.new_empty((0, ), dtype=torch.long)
    if offset not in (0, 1):
        raise ValueError(f'nms offset must be 0 or 1, got {offset}')
    # mmcv sorts with scores.sort(0, descending=True); ties are then kept in that order.
    # torchvision sorts again, so it gets strictly decreasing stand-in scores in our order.
    order = scores.sort(0, descending=True)[1]
    sorted_boxes = boxes[order]
    if offset:
        sorted_boxes = sorted_boxes.clone()
        sorted_boxes[:, 2:] += offset
    rank = torch.arange(order.numel(), 0, -1, device=boxes.device, dtype=torch.float32)
    keep = torchvision.ops.nms(sorted_boxes.float(), rank, float(iou_threshold))
    return order[keep.sort()[0]]


def _nms_ext_module():
    """mmcv's compiled module as seen by ``mmcv/ops/nms.py`` (``mmcv.ops.nms`` is also the
    name of the function, so the submodule is looked up by its import path)."""
    import importlib
    return importlib.import_module('mmcv.ops.nms').ext_module


def _fallback_needed(boxes: Tensor) -> bool:
    if not boxes.is_cuda:
        return False
    if _STATE['cuda_ops'] is None:
        _STATE['cuda_ops'] = mmcv_has_cuda_ops()
    return not _STATE['cuda_ops']


def install_nms_route(needed: Optional[Callable[[Tensor], bool]] = None) -> bool:
    """Wrap mmcv's ``nms`` kernel: half inputs to float32, torchvision where mmcv can't.

    Args:
        needed: predicate on the boxes tensor saying when to route (default: a CUDA tensor
            and an mmcv without CUDA kernels). Tests pass ``lambda t: True`` to exercise the
            route on CPU.

    Returns:
        True when the route was installed by this call.
    """
    if _STATE['installed']:
        return False
    ext = _nms_ext_module()
    original = ext.nms
    predicate = needed or _fallback_needed

    def nms(boxes, scores, iou_threshold, offset=0):
        if boxes.dtype in _HALF or scores.dtype in _HALF:
            boxes, scores = boxes.float(), scores.float()
        if not predicate(boxes):
            return original(boxes, scores, iou_threshold=iou_threshold, offset=offset)
        if not _STATE['warned']:
            _STATE['warned'] = True
            warnings.warn(
                'mmext: mmcv was built without CUDA kernels; mmcv.ops.nms on '
                f'{boxes.device} runs torchvision.ops.nms instead (same kept boxes). '
                'Rebuild mmcv with CUDA (bash tools/setup_env.sh on the GPU machine) to '
                'silence this.', stacklevel=2)
        return nms_like_mmcv(boxes, scores, iou_threshold, offset)

    nms._mmext_original = original
    ext.nms = nms
    _STATE.update(installed=True, original=original)
    return True


def uninstall_nms_route() -> None:
    """Undo :func:`install_nms_route` (tests)."""
    if not _STATE['installed']:
        return
    _nms_ext_module().nms = _STATE['original']
    _STATE.update(installed=False, warned=False, original=None, cuda_ops=None)


def apply() -> bool:
    """Install the NMS wrapper once (``import mmext``); False without mmcv's compiled ops."""
    try:
        return install_nms_route()
    except ImportError:  # mmcv without compiled ops: mmdet cannot run anyway
        return False
