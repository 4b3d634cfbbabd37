# Runtime shared by every mmext experiment. Families add their visualiser and hooks.
default_scope = 'mmext'

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # exact resume: RNG states travel in the checkpoint (mmext.engine.hooks.RNGStateHook)
    rng_state=dict(type='RNGStateHook'))

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # 'nccl' on GPUs; tools/train.py switches to 'gloo' when CUDA is absent.
    dist_cfg=dict(backend='nccl'))

vis_backends = [dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')]
log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
