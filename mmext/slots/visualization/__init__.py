"""Slot mask visualisation: overlays, grids, GIFs and the test-time hook."""
from .diagnostics_hook import SlotDiagnosticsHook
from .hook import SlotVisualizationHook
from .render import overlay_slots, save_gif, save_png, slot_grid, slot_row

__all__ = ['SlotDiagnosticsHook', 'SlotVisualizationHook', 'overlay_slots', 'save_gif',
           'save_png', 'slot_grid', 'slot_row']
