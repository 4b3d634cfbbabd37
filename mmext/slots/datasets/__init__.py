"""MOVi data: exported-layout reader, dataset and clip transforms."""
from .movi_dataset import MOViDataset
from .movi_io import detect_format, index_videos, load_video
from .transforms import LoadMOViClip, PackSlotInputs, ResizeClip

__all__ = ['MOViDataset', 'detect_format', 'index_videos', 'load_video', 'LoadMOViClip',
           'PackSlotInputs', 'ResizeClip']
