"""Shared helpers that are not geometry: user-facing errors, data hints, small io helpers."""
from .errors import UserInputError, missing_path_message

__all__ = ['UserInputError', 'missing_path_message']
