"""Device checks for the pseudo-label models (moved to :mod:`mmext.utils.devices`, shared
with the food family's SAM 2 masks)."""
from mmext.utils.devices import check_device

__all__ = ['check_device']
