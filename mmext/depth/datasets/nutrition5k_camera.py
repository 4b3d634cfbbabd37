"""Camera intrinsics of Nutrition5k's overhead RealSense frames (640x480).

The intrinsics were never released. Two values are in use:

* **paper** (default, log 001): the Nutrition5k paper gives the table at 35.9 cm from the
  camera and a per-pixel area of 5.957e-3 cm^2 there, so a pixel spans
  ``sqrt(5.957e-3) cm`` at 35.9 cm and ``f = 35.9 / sqrt(5.957e-3) = 465.1 px``;
* **d435**: fx = fy = 616 px, the nominal RealSense D435 colour camera at 640x480 that the
  community uses.

Volumes scale with ``1 / (fx fy)``: the two differ by ``(616 / 465.1)^2 = 1.75x`` in every mL.
"""
import math
from typing import Tuple

__all__ = ['NUTRITION5K_TABLE_DISTANCE_CM', 'NUTRITION5K_PIXEL_AREA_CM2', 'paper_focal_px',
           'NUTRITION5K_K_PAPER', 'NUTRITION5K_K_D435', 'NUTRITION5K_K']

NUTRITION5K_TABLE_DISTANCE_CM = 35.9
NUTRITION5K_PIXEL_AREA_CM2 = 5.957e-3


def paper_focal_px(distance_cm: float = NUTRITION5K_TABLE_DISTANCE_CM,
                   pixel_area_cm2: float = NUTRITION5K_PIXEL_AREA_CM2) -> float:
    """Focal length (px) implied by a square pixel of ``pixel_area_cm2`` at ``distance_cm``."""
    if distance_cm <= 0 or pixel_area_cm2 <= 0:
        raise ValueError('distance and pixel area must be positive')
    return distance_cm / math.sqrt(pixel_area_cm2)


_F = paper_focal_px()
NUTRITION5K_K_PAPER: Tuple[float, float, float, float] = (_F, _F, 319.5, 239.5)
NUTRITION5K_K_D435: Tuple[float, float, float, float] = (616.0, 616.0, 319.5, 239.5)
#: The default of Nutrition5kDataset and configs/_base_/nutrition5k_depth.py.
NUTRITION5K_K = {'paper': NUTRITION5K_K_PAPER, 'd435': NUTRITION5K_K_D435}
