# Seed 001 volume mix with the stage-2 LR factor 0.2 (log 001: "halve or about 1/5"; the
# default config uses 0.5).
_base_ = ['./dav2_metric_indoor_large_volume_mix_nutrition5k.py']

custom_hooks = [dict(type='EvaluateBeforeTrainHook'),
                dict(type='StagedFinetuneHook', freeze_epochs=2, lr_factor=0.2)]
