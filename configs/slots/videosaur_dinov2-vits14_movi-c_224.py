# Video DINOSAUR on MOVi-C: slots carried over frames by a transformer SlotPredictor with
# stop-gradient (seed 004's best collapse guard) and output LayerNorm; 3 iterations at
# frame 0, 1 corrector iteration afterwards. Trained on 4-frame clips, evaluated on the
# whole 24-frame videos as spatio-temporal partitions (video FG-ARI).
_base_ = ['./dinosaur_dinov2-vits14_movi-c_224.py']
model = dict(
    type='VideoDINOSAUR',
    predictor=dict(type='SlotPredictor', dim=128, num_heads=4, ffn_dim=512,
                   output_norm=True),
    stop_gradient=True,
    corrector_iters=1)
train_dataloader = dict(batch_size=16, dataset=dict(num_frames=4))
val_evaluator = [
    dict(type='ObjectDiscoveryMetric', video_level=True),
    dict(type='TemporalConsistencyMetric'),
    dict(type='MaskStabilityMetric'),
    dict(type='SlotDiversityMetric'),
]
test_evaluator = val_evaluator
