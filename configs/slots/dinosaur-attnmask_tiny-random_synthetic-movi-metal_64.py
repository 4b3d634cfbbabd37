# CPU twin of the MOVi-A metal-subset experiment: synthetic videos (metal_prob 0.5), trained
# on the all-metal videos, evaluated on all validation videos with the metrics broken down
# by material class (FG-ARI/metal, FG-ARI/mixed, FG-ARI/rubber).
_base_ = ['./dinosaur-attnmask_tiny-random_synthetic-movi_64.py']
data_root = 'data/movi_synth_metal'
synth = dict(size=64, num_frames=24, min_objects=2, max_objects=4, metal_prob=0.5)
train_dataloader = dict(dataset=dict(
    data_root=data_root, subset='metal', subset_key='material',
    generate_if_missing=dict(synth, num_videos=300, seed=0)))
val_dataloader = dict(dataset=dict(
    data_root=data_root, subset_key='material',
    generate_if_missing=dict(synth, num_videos=24, seed=1)))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='ObjectDiscoveryMetric', video_level=False, breakdown_key='material'),
    dict(type='MaskStabilityMetric'),
    dict(type='SlotDiversityMetric'),
    dict(type='MaskSimilarityMetric'),
]
test_evaluator = val_evaluator
