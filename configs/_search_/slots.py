# Search space for the object-centric family (seed 004): slot count and the two
# temperatures (slot-attention logits; decoder alpha masks, the log's tau = 0.5).
# Targets every config in configs/slots/ (DINOSAUR, VideoSAUR, pixel Slot Attention share
# model.encoder / model.decoder), e.g.
#   python tools/optuna_search.py configs/slots/dinosaur_tiny-random_synthetic-movi_64.py \
#       --space configs/_search_/slots.py --n-trials 20
space = {
    'model.encoder.num_slots': dict(type='int', low=3, high=11),
    'model.encoder.temperature': dict(type='float', low=0.25, high=2.0, log=True),
    'model.decoder.mask_temperature': dict(type='float', low=0.1, high=2.0, log=True),
    'optim_wrapper.optimizer.lr': dict(type='float', low=1e-4, high=1e-3, log=True),
}
metric = 'slots/FG-ARI'
direction = 'maximize'
# validate 5 times per run so the pruner can stop bad trials early
cfg_options = {'train_cfg.val_interval': 300}
