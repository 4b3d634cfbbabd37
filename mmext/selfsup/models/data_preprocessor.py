"""Batching of frame stacks for self-supervised depth."""
from typing import Any, Dict

from mmengine.model import BaseDataPreprocessor

from mmext.registry import MODELS
from mmext.utils.batching import stack_same_size


@MODELS.register_module()
class SelfSupDataPreprocessor(BaseDataPreprocessor):
    """Stack ``inputs['frames']`` / ``inputs['frames_aug']`` (uint8 ``(F, 3, H, W)`` each)
    into float ``(B, F, 3, H, W)`` tensors in ``[0, 1]`` on the model's device.

    Networks normalise their inputs themselves (``ResNetPyramidEncoder``); the photometric
    loss compares the un-augmented ``frames``.
    """

    def forward(self, data: Dict[str, Any], training: bool = False) -> Dict[str, Any]:
        """Return ``{'inputs': {'frames', 'frames_aug'}, 'data_samples'}``."""
        data = self.cast_data(data)
        inputs = data['inputs']
        if not isinstance(inputs, dict) or 'frames' not in inputs:
            raise ValueError("SelfSupDataPreprocessor expects inputs=dict(frames=..., "
                             "frames_aug=...) from PackSelfSupInputs")
        frames = stack_same_size(inputs['frames'], 'frame stacks').float() / 255.0
        aug = inputs.get('frames_aug')
        aug = frames if aug is None else stack_same_size(aug, 'frame stacks').float() / 255.0
        return {'inputs': {'frames': frames, 'frames_aug': aug},
                'data_samples': data.get('data_samples')}
