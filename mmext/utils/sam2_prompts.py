"""SAM 2 with box and point prompts, shared by the thermal pseudo-labels and the food masks.

``predict_masks(image, boxes=None, points=None, point_labels=None) -> (N, H, W) bool``: one
mask per prompt ``i`` (box ``i`` and/or the points ``points[i]``), all prompts of an image in
one call, in the coordinates of the given ``(H, W, 3)`` uint8 RGB image.

* :class:`Sam2PackagePredictor` -- the ``sam2`` package (``build_sam2(config, checkpoint)``
  + ``SAM2ImagePredictor``), e.g. config ``configs/sam2.1/sam2.1_hiera_l.yaml`` and checkpoint
  ``checkpoints/sam2.1_hiera_large.pt``.
* :class:`HFSam2Predictor` -- transformers' ``Sam2Model`` + ``Sam2Processor`` from a hub id
  (``facebook/sam2.1-hiera-large``) or a local directory.

The config field named in one-line errors is a class attribute (``FIELD``, ``DEVICE_FIELD``)
so each caller names its own (the thermal refiner's ``refiner.backend``, the food tool's
``--sam2-checkpoint``).
"""
import os.path as osp
from typing import Optional, Sequence, Tuple

import numpy as np

from .devices import check_device
from .errors import UserInputError, missing_path_message

__all__ = ['SAM2_HINT', 'Sam2PackagePredictor', 'HFSam2Predictor', 'check_prompts']

SAM2_HINT = ('SAM 2.1 weights: https://dl.fbaipublicfiles.com/segment_anything_2/092824/'
             'sam2.1_hiera_large.pt (see the facebookresearch/sam2 README), saved under '
             'checkpoints/')


def check_prompts(image: np.ndarray, boxes=None, points=None, point_labels=None
                  ) -> Tuple[Optional[np.ndarray], Optional[np.ndarray], Optional[np.ndarray],
                             int]:
    """Validate an RGB image and its prompts; return ``boxes (N, 4)``, ``points (N, P, 2)``,
    ``point_labels (N, P)`` (None when absent) and ``N``."""
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f'expected an (H, W, 3) uint8 RGB image, got {image.shape} '
                         f'{image.dtype}')
    if boxes is not None:
        boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
    if points is not None:
        points = np.asarray(points, dtype=np.float32)
        if points.ndim == 2:
            points = points[:, None]
        if points.ndim != 3 or points.shape[-1] != 2:
            raise ValueError(f'points must be (N, P, 2) or (N, 2), got {points.shape}')
        point_labels = (np.ones(points.shape[:2], np.int32) if point_labels is None
                        else np.asarray(point_labels, np.int32).reshape(points.shape[:2]))
    n = len(boxes) if boxes is not None else (len(points) if points is not None else 0)
    if boxes is not None and points is not None and len(points) != len(boxes):
        raise ValueError(f'{len(boxes)} boxes but {len(points)} point sets: one set per box')
    return boxes, points, point_labels, n


class Sam2PackagePredictor:
    """SAM 2 through the ``sam2`` package (facebookresearch/sam2, PyPI ``sam2``).

    Args:
        config: sam2 config name, e.g. ``'configs/sam2.1/sam2.1_hiera_l.yaml'``.
        checkpoint: path of the ``.pt`` weights; None builds random weights (tests only).
        device: torch device string.
        hydra_overrides: extra hydra overrides for ``build_sam2`` (e.g. a tiny test model).
    """

    FIELD = 'sam2'
    DEVICE_FIELD = 'sam2.device'

    def __init__(self, config: str, checkpoint: Optional[str], device: str = 'cpu',
                 hydra_overrides: Sequence[str] = ()) -> None:
        try:
            from sam2.build_sam import build_sam2
            from sam2.sam2_image_predictor import SAM2ImagePredictor
        except ImportError as err:  # pragma: no cover - sam2 is in the pinned stack
            raise ImportError('SAM 2 through the sam2 package needs it: '
                              'pip install --no-build-isolation sam2==1.1.0') from err
        if checkpoint is not None and not osp.isfile(checkpoint):
            raise UserInputError(missing_path_message(
                f'SAM 2 checkpoint ({self.FIELD}.checkpoint)', checkpoint, SAM2_HINT))
        check_device(device, self.DEVICE_FIELD)
        model = build_sam2(config, ckpt_path=checkpoint, device=device,
                           hydra_overrides_extra=list(hydra_overrides))
        self.predictor = SAM2ImagePredictor(model)
        # The predictor assumes the 1024 px model; derive the feature sizes from the model.
        size = model.image_size
        self.predictor._bb_feat_sizes = [(size // k, size // k) for k in (4, 8, 16)]

    def predict_masks(self, image: np.ndarray, boxes=None, points=None,
                      point_labels=None) -> np.ndarray:
        """All prompts in one ``predict`` call; one mask per prompt."""
        boxes, points, point_labels, n = check_prompts(image, boxes, points, point_labels)
        h, w = image.shape[:2]
        if n == 0:
            return np.zeros((0, h, w), bool)
        self.predictor.set_image(image)
        masks, _, _ = self.predictor.predict(point_coords=points, point_labels=point_labels,
                                             box=boxes, multimask_output=False)
        masks = np.asarray(masks)
        if masks.ndim == 3:  # one prompt: (1, H, W)
            masks = masks[None]
        return masks[:, 0] > 0.5 if masks.dtype != bool else masks[:, 0]


class HFSam2Predictor:
    """SAM 2 through transformers' ``Sam2Model`` / ``Sam2Processor``.

    Args:
        model: hub id (``'facebook/sam2.1-hiera-large'``) or local directory, or a built
            ``Sam2Model``.
        processor: None to load from ``model`` (when it is a path/id), or a built processor.
        device: torch device string.
    """

    FIELD = 'sam2'
    DEVICE_FIELD = 'sam2.device'

    def __init__(self, model, processor=None, device: str = 'cpu') -> None:
        from transformers import Sam2Model, Sam2Processor
        check_device(device, self.DEVICE_FIELD)
        if isinstance(model, str):
            if model.startswith(('.', '/', '~')) and not osp.isdir(osp.expanduser(model)):
                raise UserInputError(missing_path_message(
                    f'SAM 2 model folder ({self.FIELD}.model)', model,
                    "Use a hub id such as 'facebook/sam2.1-hiera-large' or a folder saved "
                    'with save_pretrained.'))
            try:
                processor = processor or Sam2Processor.from_pretrained(model)
                model = Sam2Model.from_pretrained(model)
            except OSError as err:
                first = str(err).strip().splitlines()[0] if str(err).strip() else repr(err)
                raise UserInputError(f'{self.FIELD}.model={model!r} could not be loaded '
                                     f'with transformers: {first}') from None
        if processor is None:
            raise ValueError(f'{type(self).__name__} needs a processor when given a built '
                             'model')
        self.model = model.to(device).eval()
        self.processor = processor
        self.device = device

    def predict_masks(self, image: np.ndarray, boxes=None, points=None,
                      point_labels=None) -> np.ndarray:
        """All prompts of the image in one forward pass."""
        import torch
        boxes, points, point_labels, n = check_prompts(image, boxes, points, point_labels)
        h, w = image.shape[:2]
        if n == 0:
            return np.zeros((0, h, w), bool)
        kw = {}
        if boxes is not None:
            kw['input_boxes'] = [boxes.tolist()]
        if points is not None:
            kw['input_points'] = [points.tolist()]
            kw['input_labels'] = [point_labels.tolist()]
        inputs = self.processor(images=image, return_tensors='pt', **kw).to(self.device)
        with torch.no_grad():
            out = self.model(**inputs, multimask_output=False)
        masks = self.processor.post_process_masks(out.pred_masks.cpu(),
                                                  inputs['original_sizes'].cpu())[0]
        return masks[:, 0].numpy().astype(bool)
