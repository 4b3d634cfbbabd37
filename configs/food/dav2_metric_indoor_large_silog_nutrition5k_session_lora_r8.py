# Log 000's adapter fine-tuning: LoRA (peft library) of rank 8 on the attention q/v projections
# of every ViT-L block; original encoder weights frozen, decoder trained. Adapters learn at
# 5e-5 (lr_mult 1: a LoRA update of rank 8 needs a larger step than full fine-tuning), decoder
# at 5e-5, 3 epochs, wd 0.1. Needs `pip install peft`.
_base_ = ['./dav2_metric_indoor_large_silog_nutrition5k_session.py']

model = dict(backbone=dict(lora=dict(r=8, lora_alpha=16, lora_dropout=0.0,
                                     target_modules=['q_proj', 'v_proj'])))
optim_wrapper = dict(optimizer=dict(lr=5e-5, weight_decay=0.1),
                     paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=1.0)}))
train_cfg = dict(max_epochs=3)
