# The video CPU config with the log's small residual-MLP slot predictor
# (LN(slots + MLP(slots)), Phase 4) instead of the transformer-layer predictor; stop-gradient.
_base_ = ['./videosaur-attnmask_tiny-random_synthetic-movi_64.py']
model = dict(predictor=dict(_delete_=True, type='MLPSlotPredictor', dim=64, hidden_dim=128,
                            output_norm=True))
