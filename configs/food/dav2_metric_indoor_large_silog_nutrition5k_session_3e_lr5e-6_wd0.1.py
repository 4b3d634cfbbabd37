# Log 000's short "fixed" run (step 5): 3 epochs, lr 5e-6, weight decay 0.1 (decoder x10 as
# DAV2's train.py), session split; next to the 20-epoch schedule of the parent config.
_base_ = ['./dav2_metric_indoor_large_silog_nutrition5k_session.py']

optim_wrapper = dict(optimizer=dict(lr=5e-6, weight_decay=0.1),
                     paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=1.0),
                                                     'decode_head': dict(lr_mult=10.0)}))
train_cfg = dict(max_epochs=3)
