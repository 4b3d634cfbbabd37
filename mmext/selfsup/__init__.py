"""mmext.selfsup: self-supervised metric depth for road scenes (seed 002, FUMET)."""
from . import datasets, hooks, losses, metrics, models, objects, visualization  # noqa: F401
