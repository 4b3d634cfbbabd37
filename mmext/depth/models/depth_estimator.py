"""DepthEstimator: backbone + depth head + configurable losses, as an mmengine BaseModel."""
from typing import Dict, List, Optional, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.structures import BaseDataElement
from torch import Tensor, nn

from mmext.registry import MODELS
from mmext.utils.batching import stack_field


@MODELS.register_module()
class DepthEstimator(BaseModel):
    """Monocular depth model (Depth Anything V2 = ``DINOv2Backbone`` + ``DepthAnythingHead``).

    ``forward(inputs, data_samples, mode)``: ``'tensor'`` returns depth ``(B, 1, H, W)``;
    ``'loss'`` a dict with one entry per configured loss (each weighted by its
    ``loss_weight``); ``'predict'`` the data samples with ``pred_depth`` (``(1, H, W)``, metres)
    added. Inputs whose size is not a multiple of the patch size are resized for the network
    and the depth is resized back (bilinear, align_corners=True as DAV2's ``infer_image``).

    Data samples (:class:`mmengine.structures.BaseDataElement`) may carry ``gt_depth``
    ``(1, H, W)``, ``food_mask`` ``(1, H, W)``, ``K`` ``(3, 3)`` for the input size and
    ``gt_volume`` (m^3); the losses take what they need.

    Args:
        backbone: Backbone config (returns 4 token maps).
        decode_head: ``DepthAnythingHead`` config.
        losses: Loss configs (``SILogLoss``, ``MaskedL1Loss``, ...).
        data_preprocessor: Preprocessor config (``DepthDataPreprocessor`` by default).
        pretrained: Depth Anything weights loaded by :meth:`init_weights`: a HF directory /
            hub id or an official ``.pth`` path, or ``dict(source=..., fmt=..., strict=...)``
            (see :func:`mmext.depth.models.load_depth_anything`).
        init_cfg: mmengine init config.
    """

    def __init__(self, backbone: Dict, decode_head: Dict, losses: Union[Dict, List[Dict]] = (),
                 data_preprocessor: Optional[Dict] = None,
                 pretrained: Union[None, str, Dict] = None, init_cfg: Optional[Dict] = None):
        if data_preprocessor is None:
            data_preprocessor = dict(type='DepthDataPreprocessor')
        if isinstance(data_preprocessor, dict):   # build in mmext's scope, not mmengine's
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.decode_head = MODELS.build(decode_head)
        losses = [losses] if isinstance(losses, dict) else list(losses)
        self.losses = nn.ModuleList([MODELS.build(c) for c in losses])
        self.patch_size = getattr(self.backbone, 'patch_size', 14)
        self.pretrained = dict(source=pretrained) if isinstance(pretrained, str) else pretrained

    def init_weights(self) -> None:
        """mmengine init, then the ``pretrained`` Depth Anything weights (strict by default)."""
        super().init_weights()
        if self.pretrained:
            from .checkpoint import load_depth_anything
            load_depth_anything(self, **self.pretrained)

    # ----------------------------------------------------------------- inference
    def predict_depth(self, inputs: Tensor) -> Tensor:
        """Normalised images ``(B, 3, H, W)`` -> depth ``(B, 1, H, W)``."""
        H, W = inputs.shape[-2:]
        p = self.patch_size
        h, w = max(p, round(H / p) * p), max(p, round(W / p) * p)
        x = inputs if (h, w) == (H, W) else F.interpolate(
            inputs, (h, w), mode='bilinear', align_corners=False)
        depth = self.decode_head(self.backbone(x), h // p, w // p)
        if (h, w) != (H, W):
            depth = F.interpolate(depth, (H, W), mode='bilinear', align_corners=True)
        return depth

    def forward(self, inputs: Tensor, data_samples: Optional[List[BaseDataElement]] = None,
                mode: str = 'tensor'):
        if mode == 'tensor':
            return self.predict_depth(inputs)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise ValueError(f"mode must be 'tensor', 'loss' or 'predict', got {mode!r}")

    def loss(self, inputs: Tensor, data_samples: List[BaseDataElement]) -> Dict[str, Tensor]:
        """Weighted losses on the batch."""
        if not self.losses:
            raise ValueError('DepthEstimator was built without losses; cannot train')
        # Losses run in float32 even under AMP: pixel areas Z^2/(fx fy) ~ 3e-7 m^2 underflow
        # in float16.
        pred = self.predict_depth(inputs).float()
        kw = self.loss_inputs(data_samples, pred)
        out = {}
        for loss in self.losses:
            name = getattr(loss, 'loss_name', type(loss).__name__)
            out[name] = out.get(name, 0) + loss(pred, **kw)
        return out

    @staticmethod
    def loss_inputs(data_samples: List[BaseDataElement], like: Tensor) -> Dict:
        """Batch the labels of the data samples for the losses."""
        if data_samples is None or 'gt_depth' not in data_samples[0]:
            raise ValueError("DepthEstimator.loss needs data samples with 'gt_depth'")
        target = stack_field(data_samples, 'gt_depth', like.device).to(like.dtype)
        fm = stack_field(data_samples, 'food_mask', like.device)
        K = stack_field(data_samples, 'K', like.device)
        vol = stack_field(data_samples, 'gt_volume', like.device)
        return dict(target=target, valid_mask=None, food_mask=fm,
                    K=None if K is None else K.to(like.dtype),
                    gt_volume=None if vol is None else vol.to(like.dtype).reshape(-1))

    def predict(self, inputs: Tensor,
                data_samples: Optional[List[BaseDataElement]] = None) -> List[BaseDataElement]:
        """Data samples with ``pred_depth`` ``(1, H, W)`` at the size of their ``gt_depth``
        (the input size when there is none). A ground truth larger than the input (official
        preprocessing, :class:`DAV2InferResize`) gets the prediction resized bilinearly with
        ``align_corners=True``, as DAV2's ``infer_image``."""
        pred = self.predict_depth(inputs).float()
        if data_samples is None:
            data_samples = [BaseDataElement() for _ in range(pred.shape[0])]
        for s, d in zip(data_samples, pred):
            if 'gt_depth' in s and tuple(s.gt_depth.shape[-2:]) != tuple(d.shape[-2:]):
                d = F.interpolate(d[None], tuple(s.gt_depth.shape[-2:]), mode='bilinear',
                                  align_corners=True)[0]
            s.pred_depth = d.detach()
        return data_samples

    # ----------------------------------------------------------------- training helpers
    def encoder_parameters(self):
        """Parameters of the backbone (for staged fine-tuning)."""
        return self.backbone.parameters()
