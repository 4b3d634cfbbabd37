"""Per-pixel SSIM dissimilarity of monodepth2 (``layers.SSIM``)."""
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mmext.registry import MODELS
from mmext.utils.amp import float32

__all__ = ['ssim_dissimilarity', 'SSIM']


@float32
def ssim_dissimilarity(x: Tensor, y: Tensor, c1: float = 0.01 ** 2,
                       c2: float = 0.03 ** 2) -> Tensor:
    """``clamp((1 - SSIM(x, y)) / 2, 0, 1)`` per pixel and channel, as monodepth2.

    Local statistics are 3x3 means (``avg_pool2d``, stride 1) of the images reflection-padded
    by one pixel; ``sigma = E[x^2] - mu^2`` (biased), and
    ``SSIM = (2 mu_x mu_y + C1)(2 sigma_xy + C2) / ((mu_x^2 + mu_y^2 + C1)(sigma_x + sigma_y
    + C2))``.

    Args:
        x: ``(B, C, H, W)`` image (values in [0, 1] for the default constants).
        y: ``(B, C, H, W)`` image.
        c1: Luminance stabiliser (``0.01^2``).
        c2: Contrast stabiliser (``0.03^2``).

    Returns:
        ``(B, C, H, W)`` dissimilarity in [0, 1] (0 where ``x == y``).
    """
    if x.shape != y.shape or x.dim() != 4:
        raise ValueError(f'SSIM needs two (B, C, H, W) images of one shape, got '
                         f'{tuple(x.shape)} and {tuple(y.shape)}')
    C = x.shape[1]
    x = F.pad(x, (1, 1, 1, 1), mode='reflect')
    y = F.pad(y, (1, 1, 1, 1), mode='reflect')
    # the five local 3x3 means in one depthwise box convolution (equal to avg_pool2d, and
    # ~5x faster on CPU, where the pooling dominated the training step)
    z = torch.cat([x, y, x * x, y * y, x * y], 1)
    box = z.new_full((z.shape[1], 1, 3, 3), 1.0 / 9.0)
    stats = F.conv2d(z, box, groups=z.shape[1])
    mu_x, mu_y, xx, yy, xy = stats.split(C, 1)
    sigma_x = xx - mu_x * mu_x
    sigma_y = yy - mu_y * mu_y
    sigma_xy = xy - mu_x * mu_y
    num = (2 * mu_x * mu_y + c1) * (2 * sigma_xy + c2)
    den = (mu_x * mu_x + mu_y * mu_y + c1) * (sigma_x + sigma_y + c2)
    return ((1 - num / den) / 2).clamp(0, 1)


@MODELS.register_module()
class SSIM(nn.Module):
    """Module form of :func:`ssim_dissimilarity` (a per-pixel map, not a reduced loss).

    Args:
        c1: Luminance stabiliser.
        c2: Contrast stabiliser.
    """

    def __init__(self, c1: float = 0.01 ** 2, c2: float = 0.03 ** 2) -> None:
        super().__init__()
        self.c1, self.c2 = c1, c2

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        """``(B, C, H, W)`` dissimilarity ``clamp((1 - SSIM) / 2, 0, 1)`` of ``x`` and ``y``."""
        return ssim_dissimilarity(x, y, self.c1, self.c2)
