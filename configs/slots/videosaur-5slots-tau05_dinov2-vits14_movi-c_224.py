# The lab's video setting (seed 004) on MOVi-C: 5 slots, tau 0.5, stop-gradient predictor
# with output LayerNorm; otherwise as videosaur_dinov2-vits14_movi-c_224.py (11 slots).
_base_ = ['./videosaur_dinov2-vits14_movi-c_224.py']
model = dict(encoder=dict(num_slots=5), decoder=dict(mask_temperature=0.5))
