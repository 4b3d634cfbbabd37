"""Photometric reprojection loss of monodepth2: SSIM + L1, per-pixel minimum and auto-mask."""
from typing import List, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor, nn

from mmext.registry import MODELS
from mmext.utils.amp import float32
from .ssim import ssim_dissimilarity

__all__ = ['photometric_error', 'PhotometricReprojectionLoss']


@float32
def photometric_error(pred: Tensor, target: Tensor, alpha: float = 0.85) -> Tensor:
    """monodepth2's ``compute_reprojection_loss``: per-pixel
    ``alpha * mean_c SSIM_dissim(pred, target) + (1 - alpha) * mean_c |pred - target|``.

    Args:
        pred: ``(B, C, H, W)`` image (e.g. a source warped to the target).
        target: ``(B, C, H, W)`` image.
        alpha: Weight of the SSIM term.

    Returns:
        ``(B, 1, H, W)`` error.
    """
    l1 = (pred - target).abs().mean(1, keepdim=True)
    if alpha == 0:
        return l1
    ssim = ssim_dissimilarity(pred, target).mean(1, keepdim=True)
    return alpha * ssim + (1 - alpha) * l1


@MODELS.register_module()
class PhotometricReprojectionLoss(nn.Module):
    """monodepth2's photometric loss over several source frames.

    Per pixel, the :func:`photometric_error` of every warped source is reduced over the
    sources by their minimum (``min_reprojection=True``, monodepth2's default) or mean. With
    ``automask=True`` the errors of the *unwarped* sources against the target (identity
    errors, plus Gaussian noise of std ``identity_noise`` to break ties, as monodepth2) take
    part in the per-pixel minimum: a pixel where not moving the source explains the target
    better than the warp (static camera, object moving with the camera) keeps that identity
    error, which does not depend on depth, i.e. it is masked out. With
    ``min_reprojection=False`` the identity errors are averaged over the sources too. The loss
    is the mean of the per-pixel minimum over all pixels.

    ``road_exempt=True`` (FUMET's ``--disable_road_masking``, used in its published
    commands; log 002 L2088-2122): in an image where the identity errors win on fewer than
    ``static_fraction`` of the pixels (the camera moves), road pixels take the minimum of
    the reprojection errors alone, i.e. the road is never auto-masked. The log found the
    auto-mask blacking out the road exactly where an unnatural road depth needed the
    reprojection error to correct it; a camera standing still (identity wins on 75% of
    the image or more) keeps the mask on the road too. Needs ``road_mask`` in
    :meth:`forward` (an error otherwise).

    Args:
        alpha: SSIM weight of :func:`photometric_error`.
        automask: Use monodepth2's auto-mask (needs ``sources`` in :meth:`forward`).
        min_reprojection: Per-pixel minimum over sources (else mean).
        identity_noise: Std of the noise added to the identity errors (0 disables it).
        road_exempt: Road pixels exempt from auto-masking in moving images (see above).
        static_fraction: Identity-won share of the pixels from which an image counts as
            static (FUMET: 0.75).
        loss_weight: Multiplier of the loss.
        loss_name: Key of the loss in the loss dict.
    """

    def __init__(self, alpha: float = 0.85, automask: bool = True,
                 min_reprojection: bool = True, identity_noise: float = 1e-5,
                 road_exempt: bool = False, static_fraction: float = 0.75,
                 loss_weight: float = 1.0, loss_name: str = 'loss_photometric') -> None:
        super().__init__()
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f'alpha must be in [0, 1], got {alpha}')
        self.alpha, self.automask, self.min_reprojection = alpha, automask, min_reprojection
        self.identity_noise = identity_noise
        self.road_exempt, self.static_fraction = road_exempt, static_fraction
        self.loss_weight, self.loss_name = loss_weight, loss_name

    def _reduce(self, errors: List[Tensor]) -> Tensor:
        err = torch.cat(errors, 1)                                       # (B, S, H, W)
        return err if self.min_reprojection else err.mean(1, keepdim=True)

    @float32
    def forward(self, target: Tensor, warped: Sequence[Tensor],
                sources: Optional[Sequence[Tensor]] = None,
                return_mask: bool = False,
                identity: Optional[Tensor] = None,
                road_mask: Optional[Tensor] = None) -> Union[Tensor, Tuple[Tensor, Tensor]]:
        """Photometric loss of the target against its warped sources.

        Args:
            target: ``(B, 3, H, W)`` target image.
            warped: One ``(B, 3, H, W)`` image per source frame, warped to the target.
            sources: The same source frames unwarped (for the auto-mask).
            return_mask: Also return the auto-mask.
            identity: The sources' identity errors from :meth:`identity_errors` (they do
                not depend on depth or pose: computed once, reused at every scale).
            road_mask: ``(B, [1,] H, W)`` road pixels, for ``road_exempt``.

        Returns:
            The scalar loss, and with ``return_mask`` the ``(B, 1, H, W)`` bool mask of the
            pixels where a reprojection term (not an identity term) won the minimum (all
            True without auto-masking).
        """
        if len(warped) == 0:
            raise ValueError('PhotometricReprojectionLoss needs at least one warped source')
        reproj = self._reduce([photometric_error(w, target, self.alpha) for w in warped])
        if self.automask and identity is None:
            identity = self.identity_errors(target, sources, len(warped))
        if self.automask:
            if self.identity_noise > 0:
                identity = identity + torch.randn_like(identity) * self.identity_noise
            combined = torch.cat([identity, reproj], 1)
            per_pixel, idx = combined.min(1, keepdim=True)
            mask = idx >= identity.shape[1]
            if self.road_exempt:
                if road_mask is None:
                    raise ValueError('PhotometricReprojectionLoss(road_exempt=True) needs '
                                     'road_mask (LoadRoadInstanceMasks in the pipeline)')
                road = road_mask if road_mask.dim() == 4 else road_mask[:, None]
                road = road.bool() if not road.is_floating_point() else road > 0.5
                masked_share = 1 - mask.flatten(1).float().mean(1)
                moving = (masked_share < self.static_fraction).view(-1, 1, 1, 1)
                exempt = road & moving
                per_pixel = torch.where(exempt, reproj.min(1, keepdim=True).values, per_pixel)
                mask = mask | exempt
        else:
            per_pixel = reproj.min(1, keepdim=True).values
            mask = torch.ones_like(per_pixel, dtype=torch.bool)
        loss = self.loss_weight * per_pixel.mean()
        return (loss, mask) if return_mask else loss

    @torch.no_grad()
    def identity_errors(self, target: Tensor, sources: Optional[Sequence[Tensor]],
                        num_warped: int) -> Tensor:
        """Errors of the unwarped sources (reduced like the reprojection errors)."""
        if sources is None or len(sources) != num_warped:
            raise ValueError('automask=True needs the unwarped sources, one per warped '
                             f'image ({num_warped}), got '
                             f'{None if sources is None else len(sources)}')
        return self._reduce([photometric_error(s, target, self.alpha) for s in sources])
