# Search space for food volume fine-tuning (seed 001): the weights of the four losses of the
# volume configs, model.losses = [MaskedL1Loss (food-mask depth L1), DepthGradientLoss,
# PlaneLevelLoss, VolumeLoss] (list indices as in --cfg-options). Metric: VolumeMetric's
# mean absolute volume error in mL.
# Targets: configs/food/dav2_metric_indoor_large_volume_mix_nutrition5k.py,
# configs/food/unidepth_v2_vitl_volume_mix_nutrition5k.py and the CPU demo
# configs/food/dav2_tiny_volume_mix_synthetic_cpu.py, e.g.
#   python tools/optuna_search.py configs/food/dav2_tiny_volume_mix_synthetic_cpu.py \
#       --space configs/_search_/food_loss_weights.py --n-trials 20
space = {
    'model.losses.0.loss_weight': dict(type='float', low=0.1, high=10.0, log=True),  # L1
    'model.losses.1.loss_weight': dict(type='float', low=0.01, high=1.0, log=True),  # grad.
    'model.losses.2.loss_weight': dict(type='float', low=0.005, high=0.5, log=True),  # plane
    'model.losses.3.loss_weight': dict(type='float', low=0.01, high=1.0, log=True),  # volume
}
metric = 'volume/mae_ml'
direction = 'minimize'
