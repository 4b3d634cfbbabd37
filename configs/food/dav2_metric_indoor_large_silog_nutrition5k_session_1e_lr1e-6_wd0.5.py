# Log 000's recommended conservative fine-tune ("keep the pretrained prior"): 1 epoch, lr 1e-6,
# weight decay 0.5 (encoder lr; decoder x10 as DAV2's train.py), session split.
_base_ = ['./dav2_metric_indoor_large_silog_nutrition5k_session.py']

optim_wrapper = dict(optimizer=dict(lr=1e-6, weight_decay=0.5),
                     paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=1.0),
                                                     'decode_head': dict(lr_mult=10.0)}))
train_cfg = dict(max_epochs=1)
