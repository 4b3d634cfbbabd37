# The video variant of dinosaur-attnmask_tiny-random_synthetic-movi_64.py (CPU run):
# stop-gradient SlotPredictor with output LayerNorm, 1 corrector iteration after frame 0,
# 4-frame training clips (4 clips x 4 frames = 16 frames per step), scored on the whole
# 24-frame validation videos as spatio-temporal partitions (video FG-ARI).
_base_ = ['./dinosaur-attnmask_tiny-random_synthetic-movi_64.py']
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
