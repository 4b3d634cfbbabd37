"""Depth and volume visualisation."""
from .depth_panels import colorize, depth_panel
from .depth_visualization_hook import DepthVisualizationHook

__all__ = ['DepthVisualizationHook', 'depth_panel', 'colorize']
