"""Batching and normalisation of depth samples (images + dense labels)."""
from typing import Any, Dict, Sequence

import torch
from mmengine.model import BaseDataPreprocessor

from mmext.registry import MODELS
from mmext.utils.batching import stack_same_size


@MODELS.register_module()
class DepthDataPreprocessor(BaseDataPreprocessor):
    """Stack ``inputs`` (uint8/float ``(3, H, W)``, RGB), normalise with mean/std (0-255 scale),
    move data samples to the device. All images of a batch must have the same size (crop or
    resize in the pipeline).

    Args:
        mean: Per-channel mean (ImageNet by default, DAV2).
        std: Per-channel std.
    """

    def __init__(self, mean: Sequence[float] = (123.675, 116.28, 103.53),
                 std: Sequence[float] = (58.395, 57.12, 57.375),
                 non_blocking: bool = False) -> None:
        super().__init__(non_blocking)
        self.register_buffer('mean', torch.tensor(mean).view(-1, 1, 1), False)
        self.register_buffer('std', torch.tensor(std).view(-1, 1, 1), False)

    def forward(self, data: Dict[str, Any], training: bool = False) -> Dict[str, Any]:
        """Return ``{'inputs': (B, 3, H, W) float, 'data_samples': list or None}``."""
        data = self.cast_data(data)
        inputs = stack_same_size(data['inputs'], 'images')
        inputs = (inputs.float() - self.mean) / self.std
        return {'inputs': inputs, 'data_samples': data.get('data_samples')}
