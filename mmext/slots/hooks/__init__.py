"""Training hooks of the slot models."""
from .temperature import SlotTemperatureHook, annealed_value

__all__ = ['SlotTemperatureHook', 'annealed_value']
