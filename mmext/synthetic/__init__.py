"""mmext.synthetic."""
from . import movi  # noqa: E402,F401  (slots family: synthetic MOVi videos)
from . import nutrition5k_trays  # noqa: E402,F401  (depth family: synthetic Nutrition5k trays)
from . import kitti_road  # noqa: E402,F401  (selfsup family: synthetic KITTI-raw drives)
from . import cityscapes_road  # noqa: E402,F401  (selfsup family: synthetic Cityscapes)
