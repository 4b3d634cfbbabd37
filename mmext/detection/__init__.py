"""Thermal detection from RGB pseudo-labels (seed 003): datasets, metrics, losses, labelers."""
from . import datasets, losses, metrics, pseudo_labels  # noqa: F401
