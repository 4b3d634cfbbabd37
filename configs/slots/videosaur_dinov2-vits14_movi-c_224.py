# Video DINOSAUR on MOVi-C: slots carried over frames by a transformer SlotPredictor with
# stop-gradient (seed 004's best collapse guard) and output LayerNorm; 3 iterations at
# frame 0, 1 corrector iteration afterwards. Trained on 4-frame clips, evaluated on the
# whole 24-frame videos as spatio-temporal partitions (video FG-ARI). As VideoSAUR's
# configs/videosaur/movi_c.yml: 11 slots (from the DINOSAUR base config), frames 128 -> 224
# bicubic with clamping, and the validation GT resized to 224 px with nearest-exact (its
# metrics are computed at the input size).
_base_ = ['./dinosaur_dinov2-vits14_movi-c_224.py']
model = dict(
    type='VideoDINOSAUR',
    predictor=dict(type='SlotPredictor', dim=128, num_heads=4, ffn_dim=512,
                   output_norm=True),
    stop_gradient=True,
    corrector_iters=1)
train_dataloader = dict(batch_size=16, dataset=dict(num_frames=4))
val_pipeline = [
    dict(type='LoadMOViClip'),
    dict(type='ResizeClip', scale=224, interpolation='bicubic', clamp=True, resize_gt=True,
         gt_interpolation='nearest-exact'),
    dict(type='PackSlotInputs'),
]
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='ObjectDiscoveryMetric', video_level=True, convention='reference'),
    dict(type='TemporalConsistencyMetric'),
    dict(type='MaskStabilityMetric'),
    dict(type='SlotDiversityMetric'),
    dict(type='MaskSimilarityMetric'),
]
test_evaluator = val_evaluator
