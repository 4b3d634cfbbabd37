"""Detection datasets."""
from .flir import FLIRDataset

__all__ = ['FLIRDataset']
