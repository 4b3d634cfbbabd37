"""mmext.depth: supervised metric depth and food volume (Nutrition5k; seeds 000 and 001).

Importing it registers the losses, metrics, models, data set, transforms and hooks.
"""
from . import (datasets, engine, evaluation, losses, metrics, models,  # noqa: F401
               visualization)
