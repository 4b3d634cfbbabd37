"""Object-discovery metrics: functional reference definitions and registered metrics."""
from . import functional
from .object_discovery import (MaskSimilarityMetric, MaskStabilityMetric,
                               ObjectDiscoveryMetric, SlotDiversityMetric,
                               TemporalConsistencyMetric, argmax_labels)

__all__ = ['functional', 'ObjectDiscoveryMetric', 'MaskStabilityMetric', 'MaskSimilarityMetric',
           'SlotDiversityMetric', 'TemporalConsistencyMetric', 'argmax_labels']
