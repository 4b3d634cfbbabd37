# CPU "it must work" run: DINOSAUR with mask_source='attention' (a variant, NOT the paper's
# model: the slot-attention maps, not the decoder alphas, mix the per-slot decodings, so
# the reconstruction loss shapes the grouping directly) on a frozen, randomly initialised
# tiny DINOv2 (patch 4 -> 16 x 16 tokens). With decoder alphas the same budget collapsed
# (all slots alike, FG-ARI ~0.03; docs/slots.md). Needs no download; a few minutes on CPU.
_base_ = ['./dinosaur_tiny-random_synthetic-movi_64.py']
model = dict(
    mask_source='attention',
    backbone=dict(hf_config=dict(patch_size=4)),
    decoder=dict(num_patches=(64 // 4) ** 2))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
