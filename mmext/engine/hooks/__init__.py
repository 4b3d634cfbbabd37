"""Hooks shared by all families."""
from .rng_state_hook import RNGStateHook

__all__ = ['RNGStateHook']
