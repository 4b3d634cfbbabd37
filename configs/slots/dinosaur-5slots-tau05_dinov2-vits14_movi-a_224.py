# The lab's DINOSAUR setting (5 slots, tau 0.5, DINOv2 ViT-S/14) on MOVi-A (CLEVR-like
# metal / rubber objects; log 004's data), with every metric also reported per material
# class of the validation videos (FG-ARI/metal, FG-ARI/mixed, FG-ARI/rubber, ...).
# Export: python tools/dataset_converters/movi_tfds_to_npy.py movi_a data/movi_a --split ...
# (128 px, 24 frames; the converter writes each object's material into metadata.json).
# Preprocessing as MOVi-C: 128 -> 224 bicubic, clamped; GT at 128 px.
_base_ = ['./dinosaur-5slots-tau05_dinov2-vits14_movi-c_224.py']
data_root = 'data/movi_a'
train_dataloader = dict(dataset=dict(data_root=data_root, subset_key='material'))
val_dataloader = dict(dataset=dict(data_root=data_root, subset_key='material'))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='ObjectDiscoveryMetric', video_level=False, convention='reference',
         breakdown_key='material'),
    dict(type='MaskStabilityMetric'),
    dict(type='SlotDiversityMetric'),
    dict(type='MaskSimilarityMetric'),
]
test_evaluator = val_evaluator
