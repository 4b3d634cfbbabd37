# Runtime shared by the slot (object-centric) experiments: scope, hooks, logging.
default_scope = 'mmext'
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=5000, max_keep_ckpts=2,
                    save_best='slots/FG-ARI', rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # per-slot mask grids / GIFs; `tools/test.py --show-dir DIR` switches it on
    visualization=dict(type='SlotVisualizationHook', draw=False, max_samples=16))
# log 004's collapse diagnostics (diag_* in the log): history, plots under
# <work_dir>/diagnostics/ and a WARNING line whenever a collapse is suspected
custom_hooks = [dict(type='SlotDiagnosticsHook', interval=50)]
env_cfg = dict(cudnn_benchmark=False, mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
               dist_cfg=dict(backend='nccl'))
log_processor = dict(by_epoch=False, window_size=50)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0)
