"""Version of mmext."""
__version__ = '0.1.0'
