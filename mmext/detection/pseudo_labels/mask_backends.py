"""Box-prompted mask predictors used by :class:`SAM2PseudoLabeler`.

Every backend maps ``(image, boxes)`` to one binary mask per box, all boxes of an image in
one call: ``predict_masks(image (H, W, 3) uint8 RGB, boxes (N, 4) xyxy pixels) -> (N, H, W)
bool`` in the coordinates of the given image.

* ``'sam2'`` -- the ``sam2`` package (``build_sam2(config, checkpoint)`` +
  ``SAM2ImagePredictor``), e.g. config ``configs/sam2.1/sam2.1_hiera_l.yaml`` and checkpoint
  ``checkpoints/sam2.1_hiera_large.pt``.
* ``'hf'`` -- transformers' ``Sam2Model`` + ``Sam2Processor`` from a hub id
  (``facebook/sam2.1-hiera-large``) or a local directory.
* ``'thermal_otsu'`` -- weight-free, classical: inside each box, Otsu's threshold on the
  (thermal) intensity separates warm object pixels from the background; the largest
  connected component touching the box centre region is the mask. For machines without
  SAM 2 weights; not SAM.
"""
import os.path as osp
from typing import List, Optional, Sequence

import cv2
import numpy as np

from mmext.utils.errors import UserInputError, missing_path_message

from .devices import check_device

SAM2_HINT = ('SAM 2.1 weights: https://dl.fbaipublicfiles.com/segment_anything_2/092824/'
             'sam2.1_hiera_large.pt (see the facebookresearch/sam2 README), saved under '
             'checkpoints/')


class MaskBackend:
    """Interface of a box-prompted mask predictor."""

    name = 'base'

    def predict_masks(self, image: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        """Return (N, H, W) bool masks for xyxy ``boxes`` on the RGB ``image``."""
        raise NotImplementedError


def _check_inputs(image: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f'expected an (H, W, 3) uint8 RGB image, got {image.shape} '
                         f'{image.dtype}')
    boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
    return boxes


class Sam2PackageBackend(MaskBackend):
    """SAM 2 through the ``sam2`` package (facebookresearch/sam2, PyPI ``sam2``).

    Args:
        config: sam2 config name, e.g. ``'configs/sam2.1/sam2.1_hiera_l.yaml'``.
        checkpoint: path of the ``.pt`` weights; None builds random weights (tests only).
        device: torch device string.
        hydra_overrides: extra hydra overrides for ``build_sam2`` (e.g. a tiny test model).
    """

    name = 'sam2'

    def __init__(self, config: str, checkpoint: Optional[str], device: str = 'cpu',
                 hydra_overrides: Sequence[str] = ()) -> None:
        try:
            from sam2.build_sam import build_sam2
            from sam2.sam2_image_predictor import SAM2ImagePredictor
        except ImportError as err:  # pragma: no cover - sam2 is in the pinned stack
            raise ImportError('the "sam2" backend needs the sam2 package: '
                              'pip install --no-build-isolation sam2==1.1.0') from err
        if checkpoint is not None and not osp.isfile(checkpoint):
            raise UserInputError(missing_path_message(
                'SAM 2 checkpoint (refiner.backend.checkpoint)', checkpoint, SAM2_HINT))
        check_device(device, 'pseudo_labels.refiner.backend.device')
        model = build_sam2(config, ckpt_path=checkpoint, device=device,
                           hydra_overrides_extra=list(hydra_overrides))
        self.predictor = SAM2ImagePredictor(model)
        # The predictor assumes the 1024 px model; derive the feature sizes from the model.
        size = model.image_size
        self.predictor._bb_feat_sizes = [(size // k, size // k) for k in (4, 8, 16)]

    def predict_masks(self, image: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        """All boxes in one ``predict`` call; one mask per box."""
        boxes = _check_inputs(image, boxes)
        h, w = image.shape[:2]
        if len(boxes) == 0:
            return np.zeros((0, h, w), bool)
        self.predictor.set_image(image)
        masks, _, _ = self.predictor.predict(box=boxes, multimask_output=False)
        masks = np.asarray(masks)
        if masks.ndim == 3:  # one box: (1, H, W)
            masks = masks[None]
        return masks[:, 0] > 0.5 if masks.dtype != bool else masks[:, 0]


class HFSam2Backend(MaskBackend):
    """SAM 2 through transformers' ``Sam2Model`` / ``Sam2Processor``.

    Args:
        model: hub id (``'facebook/sam2.1-hiera-large'``) or local directory, or a built
            ``Sam2Model``.
        processor: None to load from ``model`` (when it is a path/id), or a built processor.
        device: torch device string.
    """

    name = 'hf'

    def __init__(self, model, processor=None, device: str = 'cpu') -> None:
        from transformers import Sam2Model, Sam2Processor
        check_device(device, 'pseudo_labels.refiner.backend.device')
        if isinstance(model, str):
            if model.startswith(('.', '/', '~')) and not osp.isdir(osp.expanduser(model)):
                raise UserInputError(missing_path_message(
                    'SAM 2 model folder (refiner.backend.model)', model,
                    "Use a hub id such as 'facebook/sam2.1-hiera-large' or a folder saved "
                    'with save_pretrained.'))
            try:
                processor = processor or Sam2Processor.from_pretrained(model)
                model = Sam2Model.from_pretrained(model)
            except OSError as err:
                first = str(err).strip().splitlines()[0] if str(err).strip() else repr(err)
                raise UserInputError(f'refiner.backend.model={model!r} could not be loaded '
                                     f'with transformers: {first}') from None
        if processor is None:
            raise ValueError('HFSam2Backend needs a processor when given a built model')
        self.model = model.to(device).eval()
        self.processor = processor
        self.device = device

    def predict_masks(self, image: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        """All boxes of the image in one forward pass."""
        import torch
        boxes = _check_inputs(image, boxes)
        h, w = image.shape[:2]
        if len(boxes) == 0:
            return np.zeros((0, h, w), bool)
        inputs = self.processor(images=image, input_boxes=[boxes.tolist()],
                                return_tensors='pt').to(self.device)
        with torch.no_grad():
            out = self.model(**inputs, multimask_output=False)
        masks = self.processor.post_process_masks(out.pred_masks.cpu(),
                                                  inputs['original_sizes'].cpu())[0]
        return masks[:, 0].numpy().astype(bool)


class ThermalOtsuBackend(MaskBackend):
    """Weight-free classical segmentation of warm (bright) objects inside each box.

    Args:
        margin: fraction of the box size added on each side before thresholding, so a box
            that cuts the object still sees its extent.
        min_contrast: minimum intensity difference between the Otsu classes; below it the
            box is considered to hold no distinct object (empty mask). The default margin 0
            suits teacher boxes that enclose their object (measured on the synthetic set:
            margin 0.25 pulled in neighbours and lowered precision).
    """

    name = 'thermal_otsu'

    def __init__(self, margin: float = 0.0, min_contrast: float = 12.0) -> None:
        self.margin = margin
        self.min_contrast = min_contrast

    def predict_masks(self, image: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        """One Otsu segmentation per box (boxes are independent)."""
        boxes = _check_inputs(image, boxes)
        h, w = image.shape[:2]
        gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        masks = np.zeros((len(boxes), h, w), bool)
        for i, box in enumerate(boxes):
            masks[i] = self._segment(gray, box)
        return masks

    def _segment(self, gray: np.ndarray, box: np.ndarray) -> np.ndarray:
        h, w = gray.shape
        bw, bh = box[2] - box[0], box[3] - box[1]
        x0 = int(max(0, np.floor(box[0] - self.margin * bw)))
        y0 = int(max(0, np.floor(box[1] - self.margin * bh)))
        x1 = int(min(w, np.ceil(box[2] + self.margin * bw)))
        y1 = int(min(h, np.ceil(box[3] + self.margin * bh)))
        out = np.zeros((h, w), bool)
        crop = gray[y0:y1, x0:x1]
        if crop.size < 4:
            return out
        thr, fg = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        fg = fg > 0
        if not fg.any() or fg.all():
            return out
        if crop[fg].mean() - crop[~fg].mean() < self.min_contrast:
            return out
        n, labels, stats, _ = cv2.connectedComponentsWithStats(fg.astype(np.uint8), 8)
        keep = self._components_in_box(labels, stats, n, box, (x0, y0))
        out[y0:y1, x0:x1] = np.isin(labels, keep)
        return out

    @staticmethod
    def _components_in_box(labels, stats, n, box, offset) -> List[int]:
        """Components overlapping the original box, keeping those >= 10% of the largest."""
        ox, oy = offset
        bx0, by0, bx1, by1 = box[0] - ox, box[1] - oy, box[2] - ox, box[3] - oy
        cand = []
        for k in range(1, n):
            x, y, cw, ch, area = stats[k]
            if x < bx1 and x + cw > bx0 and y < by1 and y + ch > by0:
                cand.append((area, k))
        if not cand:
            return []
        largest = max(a for a, _ in cand)
        return [k for a, k in cand if a >= 0.1 * largest]


def build_mask_backend(cfg: dict) -> MaskBackend:
    """Build a backend from ``dict(type='sam2'|'hf'|'thermal_otsu', **kwargs)``."""
    cfg = dict(cfg)
    kind = cfg.pop('type', None)
    backends = {'sam2': Sam2PackageBackend, 'hf': HFSam2Backend,
                'thermal_otsu': ThermalOtsuBackend}
    if kind not in backends:
        raise ValueError(f'unknown mask backend type {kind!r}; expected one of '
                         f'{sorted(backends)}')
    return backends[kind](**cfg)
