# UniDepth V2 (ViT-L) seed-001 mix with the true K fed to the network as its camera (one
# Pinhole per image; the option beside log 001's protocol of a predicted camera).
_base_ = ['./unidepth_v2_vitl_volume_mix_nutrition5k.py']

model = dict(camera_mode='true_K')
