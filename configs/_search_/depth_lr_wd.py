# Search space for supervised metric depth fine-tuning (seed 000: Depth Anything V2 on
# Nutrition5k; the log tried encoder lr 1e-5 / 5e-6 / 1e-6 and weight decay 0.1 / 0.5 by
# hand). The configs set the decoder lr and give the encoder lr_mult=0.1, so the range
# below is encoder lr 1e-6 .. 5e-5. Metric: DepthMetric's absolute relative error.
# Targets: configs/food/dav2_metric_indoor_large_silog_nutrition5k_session.py (and any
# configs/food/ config: they share configs/_base_/food_schedule.py's optimiser).
#   python tools/optuna_search.py \
#       configs/food/dav2_metric_indoor_large_silog_nutrition5k_session.py \
#       --space configs/_search_/depth_lr_wd.py --n-trials 20
space = {
    'optim_wrapper.optimizer.lr': dict(type='float', low=1e-5, high=5e-4, log=True),
    'optim_wrapper.optimizer.weight_decay': dict(type='float', low=1e-3, high=0.5, log=True),
}
metric = 'depth/abs_rel'
direction = 'minimize'
