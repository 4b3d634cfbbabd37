"""Hooks shared by all families."""
from .rng_state_hook import RNGStateHook
from .skipped_samples_hook import SkippedSamplesHook

__all__ = ['RNGStateHook', 'SkippedSamplesHook']
