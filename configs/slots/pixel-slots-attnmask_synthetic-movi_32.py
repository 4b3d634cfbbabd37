# The pixel Slot Attention autoencoder with mask_source='attention' (a variant: the
# slot-attention maps mix the per-slot RGB decodings), so that it learns within a few CPU
# minutes; the pixel side of the mask-stability comparison with
# dinosaur-attnmask_tiny-random_synthetic-movi_64.py. All CNN strides 1 (token grid =
# image grid, 32 x 32).
_base_ = ['./pixel-slots_synthetic-movi_32.py']
model = dict(mask_source='attention')
optim_wrapper = dict(optimizer=dict(lr=1e-3))
