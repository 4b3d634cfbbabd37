# Labelled variant of fumet-twin-epochs_r18c16_synthkitti_256x96_cpu.py without FUMET's
# --remove_outliers (FUMET's option default; its README commands add it). With the
# outlier test every object is compared with the current camera-height target; once the
# target is more than 20% off, only objects whose visible part is shorter than their height
# (occluded or cut by the border) pass, and their evidence pushes the next estimate further
# off -- the runaway of the twin-epochs run in benchmarks/RESULTS_selfsup.md (2.44, 3.43,
# 16.6, 50.2 m after epochs 2-5). This variant tests that explanation.
_base_ = ['./fumet-twin-epochs_r18c16_synthkitti_256x96_cpu.py']
model = dict(object_filter=dict(remove_outliers=False))
