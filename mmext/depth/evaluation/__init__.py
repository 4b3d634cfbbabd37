"""Evaluation helpers of the depth family (honest baselines, cross-domain rows, focal sweep)."""
from .focal_sweep import focal_sweep, format_focal_table
from .honest_comparison import (collect_predictions, cross_domain_rows, evaluate_predictions,
                                fit_global_scale, format_table, honest_rows, mean_depth_map)
from .volume_report import (compare_models_table, per_dish_rows, volume_kwargs,
                            write_per_dish_csv, write_volume_report)

__all__ = ['focal_sweep', 'format_focal_table', 'collect_predictions', 'cross_domain_rows',
           'evaluate_predictions', 'fit_global_scale', 'format_table', 'honest_rows',
           'mean_depth_map', 'compare_models_table', 'per_dish_rows', 'write_per_dish_csv',
           'write_volume_report', 'volume_kwargs']
