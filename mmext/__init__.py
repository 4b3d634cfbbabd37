"""mmext: one OpenMMLab code base for the lab's five experiment families.

Importing ``mmext`` first applies the documented upstream workarounds in
:mod:`mmext.compat` and then imports every family, which registers all modules in the
registries of :mod:`mmext.registry` (children of mmdet's).
"""
from . import compat

compat.apply_all()

from .version import __version__  # noqa: E402
from . import registry  # noqa: E402,F401
from . import engine, geometry, utils  # noqa: E402,F401
from . import depth, detection, hpo, selfsup, slots, synthetic  # noqa: E402,F401

__all__ = ['__version__']
