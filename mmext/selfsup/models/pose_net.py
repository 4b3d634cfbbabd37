"""monodepth2's separate-ResNet pose network: a frame pair -> axis-angle + translation."""
from typing import Dict, Optional, Tuple

from torch import Tensor, nn

from mmext.registry import MODELS


@MODELS.register_module()
class PoseNet(nn.Module):
    """Pose of a stacked frame pair (monodepth2 ``pose_model_type='separate_resnet'``).

    The encoder sees both frames stacked on channels; the decoder squeezes the last
    feature map, applies three convolutions, averages spatially and scales by 0.01.

    Args:
        encoder: ``ResNetPyramidEncoder`` config with ``in_channels = 6``.
        hidden: Decoder channels (monodepth2: 256).
        output_scale: Factor on the raw rotation output (monodepth2: 0.01, small initial
            motion).
        translation_scale: Factor on the raw translation output (``None``: ``output_scale``
            as monodepth2). A model trained to metric scale must reach translations of
            ~1 m per frame (KITTI at 10 Hz); with 0.01 the raw output would have to reach
            ~100, which Adam takes very long to get to, so metric configs use ~1.
    """

    def __init__(self, encoder: Dict, hidden: int = 256, output_scale: float = 0.01,
                 translation_scale: Optional[float] = None) -> None:
        super().__init__()
        self.encoder = MODELS.build(encoder)
        c = self.encoder.num_ch_enc[-1]
        self.decoder = nn.Sequential(
            nn.Conv2d(c, hidden, 1), nn.ReLU(inplace=True),
            nn.Conv2d(hidden, hidden, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(hidden, hidden, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(hidden, 6, 1))
        self.output_scale = output_scale
        self.translation_scale = output_scale if translation_scale is None else translation_scale

    def init_weights(self) -> None:
        """Load the encoder's ``pretrained`` weights (mmengine's ``init_weights`` only
        reaches the estimator's direct children; without this the pose encoder of a config
        with ImageNet weights would silently start from random weights)."""
        self.encoder.init_weights()

    def forward(self, pair: Tensor) -> Tuple[Tensor, Tensor]:
        """``(B, 6, H, W)`` pair in ``[0, 1]`` -> ``(axisangle (B, 3), translation (B, 3))``."""
        out = self.decoder(self.encoder(pair)[-1]).mean((2, 3))
        return out[:, :3] * self.output_scale, out[:, 3:] * self.translation_scale
