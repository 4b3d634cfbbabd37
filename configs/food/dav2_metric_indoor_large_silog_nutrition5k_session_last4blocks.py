# Log 000's partial fine-tuning: only the last 4 of the 24 ViT-L blocks (and the final norm)
# train with the decoder; embeddings and blocks 0-19 keep their pretrained weights. Short
# schedule of log 000 (3 epochs, lr 5e-6, wd 0.1).
_base_ = ['./dav2_metric_indoor_large_silog_nutrition5k_session_3e_lr5e-6_wd0.1.py']

model = dict(backbone=dict(trainable_blocks=4))
