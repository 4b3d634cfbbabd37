"""Batching and normalisation of MOVi clips for the slot models."""
from typing import Any, Dict, Sequence

import torch
from mmengine.model import BaseDataPreprocessor

from mmext.registry import MODELS
from mmext.utils.batching import stack_same_size


@MODELS.register_module()
class SlotDataPreprocessor(BaseDataPreprocessor):
    """Stack uint8 clips (T, 3, H, W) into a float batch (B, T, 3, H, W) and normalise.

    Config keys:
        mean: Per-channel mean on the 0-255 scale (ImageNet by default; CLIP uses
            ``[122.77, 116.75, 104.09]``; the pixel model ``[127.5] * 3``).
        std: Per-channel std on the 0-255 scale.
    """

    def __init__(self, mean: Sequence[float] = (123.675, 116.28, 103.53),
                 std: Sequence[float] = (58.395, 57.12, 57.375)) -> None:
        super().__init__()
        if len(mean) != 3 or len(std) != 3:
            raise ValueError(f'mean and std need 3 values, got {mean} and {std}')
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float32).view(3, 1, 1),
                             persistent=False)
        self.register_buffer('std', torch.tensor(std, dtype=torch.float32).view(3, 1, 1),
                             persistent=False)

    def normalize(self, x: torch.Tensor) -> torch.Tensor:
        """0-255 images (..., 3, H, W) -> normalised."""
        return (x - self.mean) / self.std

    def denormalize(self, x: torch.Tensor) -> torch.Tensor:
        """Normalised images (..., 3, H, W) -> 0-255 scale."""
        return x * self.std + self.mean

    def forward(self, data: Dict[str, Any], training: bool = False) -> Dict[str, Any]:
        """Return ``dict(inputs=(B, T, 3, H, W) float, data_samples=list)``."""
        data = self.cast_data(data)
        inputs = stack_same_size(data['inputs'], 'clips')
        if inputs.dim() == 4:  # single images (B, 3, H, W)
            inputs = inputs.unsqueeze(1)
        if inputs.dim() != 5 or inputs.shape[2] != 3:
            raise ValueError(f'expected inputs (B, T, 3, H, W), got {tuple(inputs.shape)}')
        return dict(inputs=self.normalize(inputs.float()),
                    data_samples=data.get('data_samples'))
