# Labelled variant of fumet_r18_synthkitti_640x192_gpu.py (FUMET's formulas unchanged) with
# FUMET's epoch-based schedules at KITTI's epoch length: one epoch here is 8 passes over the
# GPU twin's training frames (~411 iterations at batch 12; FUMET's KITTI epoch is ~4976
# iterations at batch 8), so the first camera-height estimate (after epoch 1, 0-based) comes
# from a network trained ~800 iterations on the rough term instead of ~100 (the failure of
# FUMET's literal epochs on a small twin: benchmarks/RESULTS_selfsup.md, "Scale recovery").
# 40 epochs (~16,500 iterations) with FUMET's schedule limit (20) and lr step (15).
# Not run here (no GPU lent); expected time: iterations / the it/s that
# benchmarks/gpu_check.py measures for FUMET R18 640x192 ("selfsup" case).
#   python benchmarks/selfsup_scale_recovery.py --config-set gpu --only twin-epochs --seeds 0 1 2
_base_ = ['./fumet_r18_synthkitti_640x192_gpu.py']
passes_per_epoch = 8
train_dataloader = dict(dataset=dict(
    _delete_=True, type='RepeatDataset', times=passes_per_epoch,
    dataset={{_base_.train_dataloader.dataset}}))
