# Log 004's binarisation and annealing axes on the CPU DINOSAUR (random tiny ViT): decoder
# masks are hard Gumbel-softmax samples while training (straight-through gradients;
# evaluation uses the soft masks), and the mask temperature tau is annealed from 1.0 to 0.3
# over the 1000 iterations (exponential). binarize='hard' is the deterministic
# straight-through alternative.
_base_ = ['./dinosaur_tiny-random_synthetic-movi_64.py']
model = dict(decoder=dict(binarize='gumbel', gumbel_hard=True, mask_temperature=1.0))
custom_hooks = [
    dict(type='SlotDiagnosticsHook', interval=50),
    dict(type='SlotTemperatureHook', param='decoder.mask_temperature', start=1.0, end=0.3,
         begin=0, end_iter=1000, schedule='exp'),
]
