# The video variant on the synthetic videos with the tiny random frozen ViT (CPU smoke run):
# 4-frame training clips, stop-gradient SlotPredictor, video-level FG-ARI on 24 frames.
_base_ = ['./dinosaur_tiny-random_synthetic-movi_64.py']
model = dict(
    type='VideoDINOSAUR',
    predictor=dict(type='SlotPredictor', dim=64, num_heads=4, output_norm=True),
    stop_gradient=True, corrector_iters=1)
train_dataloader = dict(batch_size=4, dataset=dict(num_frames=4))
val_evaluator = [
    dict(type='ObjectDiscoveryMetric', video_level=True),
    dict(type='TemporalConsistencyMetric'),
    dict(type='MaskStabilityMetric'),
    dict(type='SlotDiversityMetric'),
    dict(type='MaskSimilarityMetric'),
]
test_evaluator = val_evaluator
