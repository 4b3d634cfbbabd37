# The lab's own DINOSAUR setting (seed 004) on MOVi-C: 5 slots and the decoder alpha logits
# divided by tau = 0.5 (its best; with tau = 1 the alphas stayed near-uniform), otherwise as
# the published-settings config dinosaur_dinov2-vits14_movi-c_224.py (11 slots, tau 1).
_base_ = ['./dinosaur_dinov2-vits14_movi-c_224.py']
num_slots = 5
model = dict(encoder=dict(num_slots=num_slots), decoder=dict(mask_temperature=0.5))
