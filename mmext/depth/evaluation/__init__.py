"""Evaluation helpers of the depth family (honest baselines)."""
from .honest_comparison import (collect_predictions, evaluate_predictions, fit_global_scale,
                                format_table, honest_rows, mean_depth_map)

__all__ = ['collect_predictions', 'evaluate_predictions', 'fit_global_scale', 'format_table',
           'honest_rows', 'mean_depth_map']
