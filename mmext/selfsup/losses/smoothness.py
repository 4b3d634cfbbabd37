"""Edge-aware disparity smoothness of monodepth2 (``get_smooth_loss``)."""
from torch import Tensor, nn

from mmext.registry import MODELS
from mmext.utils.amp import float32

__all__ = ['edge_aware_smoothness', 'EdgeAwareSmoothnessLoss']


@float32
def edge_aware_smoothness(disp: Tensor, image: Tensor) -> Tensor:
    """monodepth2's ``get_smooth_loss``:
    ``mean(|d_x disp| exp(-mean_c |d_x I|)) + mean(|d_y disp| exp(-mean_c |d_y I|))`` with
    forward differences between neighbouring pixels.

    Args:
        disp: ``(B, 1, H, W)`` disparity (normalised or not).
        image: ``(B, C, H, W)`` image of the same size.

    Returns:
        Scalar loss.
    """
    if disp.dim() != 4 or image.dim() != 4 or disp.shape[-2:] != image.shape[-2:]:
        raise ValueError(f'disp (B, 1, H, W) and image (B, C, H, W) must match, got '
                         f'{tuple(disp.shape)} and {tuple(image.shape)}')
    gd_x = (disp[..., :, :-1] - disp[..., :, 1:]).abs()
    gd_y = (disp[..., :-1, :] - disp[..., 1:, :]).abs()
    gi_x = (image[..., :, :-1] - image[..., :, 1:]).abs().mean(1, keepdim=True)
    gi_y = (image[..., :-1, :] - image[..., 1:, :]).abs().mean(1, keepdim=True)
    return (gd_x * (-gi_x).exp()).mean() + (gd_y * (-gi_y).exp()).mean()


@MODELS.register_module()
class EdgeAwareSmoothnessLoss(nn.Module):
    """Edge-aware smoothness of the mean-normalised disparity (monodepth2).

    As monodepth2's ``compute_losses``, the disparity is divided by its per-image mean
    (``disp / (mean + 1e-7)``, so the loss does not shrink with the scale of the prediction)
    before :func:`edge_aware_smoothness`. The per-scale ``1 / 2^scale`` factor of monodepth2
    belongs to the caller.

    Args:
        normalize: Divide the disparity by its per-image mean first.
        loss_weight: Multiplier of the loss (monodepth2's ``disparity_smoothness``, 1e-3).
        loss_name: Key of the loss in the loss dict.
    """

    def __init__(self, normalize: bool = True, loss_weight: float = 1e-3,
                 loss_name: str = 'loss_smooth') -> None:
        super().__init__()
        self.normalize, self.loss_weight, self.loss_name = normalize, loss_weight, loss_name

    def forward(self, disp: Tensor, image: Tensor) -> Tensor:
        """Loss for a ``(B, 1, H, W)`` disparity and its ``(B, C, H, W)`` image."""
        if self.normalize:
            disp = disp / (disp.mean(dim=(2, 3), keepdim=True) + 1e-7)
        return self.loss_weight * edge_aware_smoothness(disp, image)
