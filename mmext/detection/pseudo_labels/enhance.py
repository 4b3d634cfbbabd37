"""Optional image enhancement of thermal frames before box-prompted segmentation.

Seed 003 (2025/08/04) names the low resolution and soft edges of thermal frames as a weak
point of SAM 2 on them and suggests sharpening first. :func:`unsharp_mask` is the classical
unsharp mask: ``out = image + amount * (image - GaussianBlur(image, sigma))``, clipped to
[0, 255]. It changes only what the refiner sees; labels stay in the frame's pixels.
"""
from typing import Optional

import cv2
import numpy as np

from mmext.utils.errors import UserInputError


def unsharp_mask(image: np.ndarray, sigma: float = 2.0, amount: float = 1.0) -> np.ndarray:
    """Sharpen a uint8 image: ``image + amount * (image - blur(image))``, clipped."""
    if sigma <= 0 or amount < 0:
        raise UserInputError(f'unsharp mask needs sigma > 0 and amount >= 0, got sigma={sigma},'
                             f' amount={amount}')
    img = image.astype(np.float32)
    blur = cv2.GaussianBlur(img, (0, 0), sigmaX=sigma, sigmaY=sigma)
    return np.clip(img + amount * (img - blur), 0, 255).round().astype(np.uint8)


def enhance(image: np.ndarray, cfg: Optional[dict]) -> np.ndarray:
    """Apply ``cfg`` (``None`` or ``dict(type='unsharp', sigma=2.0, amount=1.0)``)."""
    if cfg is None:
        return image
    cfg = dict(cfg)
    kind = cfg.pop('type', None)
    if kind != 'unsharp':
        raise UserInputError(f"refiner preprocess type must be 'unsharp', got {kind!r}")
    return unsharp_mask(image, **cfg)
