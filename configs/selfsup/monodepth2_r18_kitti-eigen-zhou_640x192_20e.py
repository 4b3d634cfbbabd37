# Baseline: monodepth2 (monocular, M) ResNet-18 at 640x192 on KITTI Eigen-Zhou, 20 epochs,
# bounded disparity (0.1-100 m). Scale-ambiguous: compare with median scaling (ms_*);
# published (median-scaled) abs_rel 0.115, sq_rel 0.903, rmse 4.863, d1 0.877.
_base_ = ['../_base_/selfsup_runtime.py', '../_base_/models/monodepth2_r18.py',
          '../_base_/datasets/kitti_eigen_zhou_640x192.py',
          '../_base_/schedules/selfsup_adam_20e.py']
