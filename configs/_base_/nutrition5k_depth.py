# Nutrition5k overhead RGB-D (640x480), session split, food masks derived from GT depth
# ('plate' method).
# K: intrinsics were never released. Default (log 001): the Nutrition5k paper's geometry, table
# at 35.9 cm with a pixel area of 5.957e-3 cm^2 there -> f = 35.9 / sqrt(5.957e-3) = 465.1 px.
# Alternative: fx = fy = 616 px (RealSense D435 colour at 640x480, used by the community):
# override K of the three datasets (e.g. --cfg-options train_dataloader.dataset.K=[616,616,
# 319.5,239.5] and the same for val/test) and say so next to every mL. Volumes scale with
# 1/(fx*fy): the two choices differ by (616/465.1)^2 = 1.75x in every mL (docs/food.md;
# tools/analysis_tools/food_focal_sweep.py reports volume MAE vs the assumed focal length).
dataset_type = 'Nutrition5kDataset'
data_root = 'data/nutrition5k/'
nutrition5k_f = 35.9 / 5.957e-3 ** 0.5             # 465.13 px (Nutrition5k paper)
nutrition5k_K = [nutrition5k_f, nutrition5k_f, 319.5, 239.5]
split_dir = 'dish_ids/splits_session/'   # tools/dataset_converters/nutrition5k_session_split.py

train_pipeline = [
    dict(type='LoadNutrition5kDish'),
    dict(type='RandomScaleCropK', crop_size=(476, 630), base_scale=(480, 640),
         ratio_range=(1.0, 1.2), keep_mask=True),
    dict(type='RandomDepthFlip', prob=0.5),
    dict(type='RandomRotateK', max_deg=5.0, prob=0.3),
    dict(type='DepthColorJitter', brightness=0.2, contrast=0.2, saturation=0.2, prob=0.8),
    dict(type='DepthGaussianBlur', sigma_range=(0.1, 1.5), prob=0.2),
    dict(type='DepthNoise', rel_std=0.005, dropout=0.01, prob=0.3),
    dict(type='MaskMorphology', max_px=5, prob=0.5),
    dict(type='PackDepthInputs'),
]
test_pipeline = [dict(type='LoadNutrition5kDish'), dict(type='PackDepthInputs')]
# DAV2's official inference preprocessing (infer_image / image2tensor: short side -> 518 keeping
# the aspect ratio, multiples of 14, bicubic; 640x480 -> 686x518; prediction resized back with
# align_corners=True). The "pretrained, before fine-tuning" rows computed exactly as the official
# inference: tools/analysis_tools/food_honest_comparison.py --official-preprocessing.
official_test_pipeline = [dict(type='LoadNutrition5kDish'),
                          dict(type='DAV2InferResize', input_size=518, multiple_of=14),
                          dict(type='PackDepthInputs')]

# Food masks (Nutrition5k ships none): derived from the GT depth as height above the plate the
# food stands on ('plate', default); 'table' = mmext's first form (height above the table,
# which takes plates as food: +632% mean volume-label bias on 36 twin trays vs -1.8% for 'plate',
# docs/food.md "Food masks"). Log 001 uses SAM 2 masks: write them with
# tools/dataset_converters/nutrition5k_sam2_masks.py and set mask_dir='masks_sam2'.
_ds = dict(type=dataset_type, data_root=data_root, K=nutrition5k_K, mask_method='plate',
           metadata_files=['metadata/dish_metadata_cafe1.csv',
                           'metadata/dish_metadata_cafe2.csv'])
train_dataloader = dict(
    batch_size=4, num_workers=4, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(**_ds, split_file=split_dir + 'depth_train_ids.txt', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**_ds, split_file=split_dir + 'depth_val_ids.txt', pipeline=test_pipeline,
                 test_mode=True))
test_dataloader = dict(
    batch_size=1, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**_ds, split_file=split_dir + 'depth_test_ids.txt', pipeline=test_pipeline,
                 test_mode=True))
val_evaluator = [dict(type='DepthMetric', min_depth=1e-3, max_depth=1.0,
                      # DAV2 metric_depth/train.py protocol: no clamp, align_corners resize,
                      # images with < 10 valid pixels skipped.
                      clamp_pred=False, resize_align_corners=True, min_valid_pixels=10),
                 dict(type='VolumeMetric')]
test_evaluator = val_evaluator
