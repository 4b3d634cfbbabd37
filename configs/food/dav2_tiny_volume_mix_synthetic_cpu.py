# CPU demo (a few minutes on 2 cores): a tiny random-init DAV2 (ViT 4 layers x 64) fine-tuned
# on synthetic trays in the Nutrition5k layout with the seed-001 loss mix; the volume error
# before (EvaluateBeforeTrainHook) and after training is logged.
# Data: python tools/dataset_converters/nutrition5k_synthetic.py data/nutrition5k_synthetic \
#           --num-dishes 64 --num-sessions 16 --size 240 320
_base_ = ['../_base_/default_runtime.py']

data_root = 'data/nutrition5k_synthetic/'
K = [308.0, 308.0, 159.5, 119.5]          # 640x480 fx=616 px scaled to 320x240
model = dict(
    type='DepthEstimator',
    data_preprocessor=dict(type='DepthDataPreprocessor'),
    backbone=dict(type='DINOv2Backbone', arch=None, hidden_size=64, num_layers=4, num_heads=4,
                  out_indices=[0, 1, 2, 3], image_size=112),
    decode_head=dict(type='DepthAnythingHead', in_channels=64, features=32,
                     out_channels=[16, 32, 64, 64], mode='metric', max_depth=1.0),
    losses=[
        dict(type='MaskedL1Loss', use_food_mask=False, loss_weight=1.0),
        dict(type='DepthGradientLoss', region='food', dilate_px=3, loss_weight=0.1),
        dict(type='PlaneLevelLoss', ring_inner=1, ring_width=5, loss_weight=0.05),
        dict(type='VolumeLoss', ring_inner=1, ring_width=5, loss_weight=0.1),
    ])
train_pipeline = [
    dict(type='LoadNutrition5kDish'),
    dict(type='RandomScaleCropK', crop_size=(112, 154), base_scale=(120, 160),
         ratio_range=(1.0, 1.1), keep_mask=True),
    dict(type='RandomDepthFlip', prob=0.5),
    dict(type='DepthColorJitter', brightness=0.1, contrast=0.1, saturation=0.1, prob=0.5),
    dict(type='MaskMorphology', max_px=1, prob=0.3),
    dict(type='PackDepthInputs'),
]
test_pipeline = [dict(type='LoadNutrition5kDish'), dict(type='ResizeK', scale=(112, 154)),
                 dict(type='PackDepthInputs')]
_ds = dict(type='Nutrition5kDataset', data_root=data_root, K=K, mask_dir='masks',
           ring_inner=3, ring_width=10)
train_dataloader = dict(batch_size=8, num_workers=0,
                        sampler=dict(type='DefaultSampler', shuffle=True),
                        dataset=dict(**_ds, split_file='dish_ids/splits/depth_train_ids.txt',
                                     pipeline=train_pipeline))
val_dataloader = dict(batch_size=8, num_workers=0,
                      sampler=dict(type='DefaultSampler', shuffle=False),
                      dataset=dict(**_ds, split_file='dish_ids/splits/depth_test_ids.txt',
                                   pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader
# Ring sizes: the 640x480 defaults (5 + 20 px) scaled to 112x154.
val_evaluator = [dict(type='DepthMetric', min_depth=1e-3, max_depth=1.0,
                      # DAV2 metric_depth/train.py protocol: no clamp, align_corners resize,
                      # images with < 10 valid pixels skipped.
                      clamp_pred=False, resize_align_corners=True, min_valid_pixels=10),
                 dict(type='VolumeMetric', ring_inner=1, ring_width=5)]
test_evaluator = val_evaluator

optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='AdamW', lr=2e-3, betas=(0.9, 0.999), weight_decay=0.01),
                     paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=4)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [dict(type='PolyLR', power=0.9, eta_min=0.0, by_epoch=False, begin=0)]
custom_hooks = [dict(type='EvaluateBeforeTrainHook'),
                dict(type='StagedFinetuneHook', freeze_epochs=2, lr_factor=0.5)]
default_hooks = dict(logger=dict(type='LoggerHook', interval=2),
                     visualization=dict(type='DepthVisualizationHook', interval=1, ring=(1, 5)),
                     checkpoint=dict(type='CheckpointHook', interval=4, max_keep_ckpts=1))
visualizer = dict(type='Visualizer', vis_backends=[dict(type='LocalVisBackend')])
