"""ObjectHeightEstimator: an object's metric height from its image crop (log 002)."""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.structures import BaseDataElement
from torch import Tensor, nn

from mmext.registry import MODELS

__all__ = ['ObjectHeightEstimator']


@MODELS.register_module()
class ObjectHeightEstimator(BaseModel):
    """Per-instance height regressor: crop -> metric height (metres).

    Log 002 rejected KITTI's class-mean heights as priors (not known in a self-supervised
    setting; a car is not 1.53 m) and trained a height estimator on labelled objects whose
    per-instance predictions feed the object-height term (FUMET reads such per-instance
    heights from its data files). The crop goes through ``backbone`` (an mmdet/mmpretrain
    ResNet config), global average pooling and an MLP that also sees the box's aspect ratio
    and the class; the output is a log-factor on the class's initial height,
    ``height = class_heights[label] * exp(out)``, so an untrained model predicts the class
    heights. Trained with an L1 loss on ``gt_height`` through ``tools/train.py``
    (:class:`~mmext.selfsup.datasets.ObjectCropDataset`); predictions are written into the
    mask files by ``tools/dataset_converters/export_instance_heights.py``.

    Args:
        backbone: Backbone config returning feature maps (the last one is pooled).
        num_classes: Number of object classes.
        class_heights: Initial height per class (m).
        hidden: MLP width.
        data_preprocessor: Default ``ImgDataPreprocessor`` with ImageNet mean / std.
        init_cfg: mmengine init config.
    """

    def __init__(self, backbone: Dict, num_classes: int,
                 class_heights: Sequence[float], hidden: int = 64,
                 data_preprocessor: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='ImgDataPreprocessor',
                                     mean=[123.675, 116.28, 103.53],
                                     std=[58.395, 57.12, 57.375])
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if len(class_heights) != num_classes:
            raise ValueError(f'class_heights has {len(class_heights)} entries for '
                             f'{num_classes} classes')
        self.backbone = MODELS.build(backbone)
        with torch.no_grad():
            c = self.backbone(torch.zeros(2, 3, 64, 64))[-1].shape[1]
        self.num_classes = num_classes
        self.register_buffer('class_heights', torch.tensor(list(class_heights),
                                                           dtype=torch.float32))
        self.head = nn.Sequential(nn.Linear(c + 1 + num_classes, hidden), nn.ReLU(inplace=True),
                                  nn.Linear(hidden, 1))
        nn.init.zeros_(self.head[-1].weight)
        nn.init.zeros_(self.head[-1].bias)

    def heights(self, crops: Tensor, labels: Tensor, box_hw: Tensor) -> Tensor:
        """``(B, 3, h, w)`` normalised crops, ``(B,)`` labels, ``(B, 2)`` box sizes ->
        ``(B,)`` heights (m)."""
        feat = self.backbone(crops)[-1].mean((2, 3))
        aspect = torch.log(box_hw[:, :1].clamp_min(1e-6) / box_hw[:, 1:].clamp_min(1e-6))
        onehot = F.one_hot(labels.long(), self.num_classes).to(feat)
        out = self.head(torch.cat([feat, aspect, onehot], 1))[:, 0]
        return self.class_heights[labels.long()] * torch.exp(out)

    @staticmethod
    def _fields(samples: List[BaseDataElement], device):
        labels = torch.stack([s.label for s in samples]).to(device)
        box = torch.stack([s.box_hw for s in samples]).to(device)
        return labels, box

    def forward(self, inputs: Tensor, data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        if data_samples is None:
            raise ValueError('ObjectHeightEstimator needs data_samples with label and box_hw')
        labels, box = self._fields(data_samples, inputs.device)
        pred = self.heights(inputs, labels, box)
        if mode == 'tensor':
            return pred
        if mode == 'loss':
            gt = torch.stack([s.gt_height for s in data_samples]).to(pred)
            return dict(loss_height=F.l1_loss(pred, gt))
        if mode == 'predict':
            for s, p in zip(data_samples, pred.detach()):
                s.pred_height = p
            return data_samples
        raise ValueError(f"mode must be 'tensor', 'loss' or 'predict', got {mode!r}")
