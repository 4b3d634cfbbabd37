# Cross-domain check of a food fine-tune (log 000): the same DAV2 Metric-Indoor-Large model on
# NYU Depth V2's Eigen test split (654 images, BTS layout: data/nyu/official_splits/test/
# <scene>/rgb_<n>.jpg + sync_depth_<n>.png in mm), DAV2's protocol (official inference resize,
# align_corners=True, no clamp, >= 10 valid pixels) with the Eigen crop, 1e-3..10 m; reported
# unscaled and median-scaled. After fine-tuning: python tools/test.py <this config> <ft .pth>;
# before and after side by side with food: tools/analysis_tools/food_honest_comparison.py
#   <food config> <ft .pth> --cross-domain <this config> [<kitti config>]
_base_ = ['./dav2_metric_indoor_large_silog_nutrition5k_session.py']

test_dataloader = dict(
    _delete_=True, batch_size=1, num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='NYUDepthV2Dataset', data_root='data/nyu/', split_file=None,
                 pipeline=[dict(type='LoadImageDepth'),
                           dict(type='DAV2InferResize', input_size=518, multiple_of=14),
                           dict(type='PackDepthInputs', meta_keys=('sample_id', 'img_path',
                                                                   'ori_shape'))]))
test_evaluator = [dict(type='DepthMetric', min_depth=1e-3, max_depth=10.0, crop='nyu_eigen',
                       median_scaling='both', clamp_pred=False, resize_align_corners=True,
                       min_valid_pixels=10)]
