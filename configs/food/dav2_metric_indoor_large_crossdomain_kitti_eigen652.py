# Cross-domain check of a food fine-tune (log 000): the same DAV2 Metric-Indoor-Large model on
# KITTI Eigen (652 test images with annotated depth; data/kitti/raw_data/ +
# data_depth_annotated/, split list as DAV2's metric_depth/dataset/splits/kitti/val.txt or BTS's
# eigen_test_files_with_gt.txt), with DAV2's KITTI validation protocol (official inference
# resize, align_corners=True, no clamp, no crop, 1e-3..80 m, >= 10 valid pixels). An indoor
# model saturates at 20 m, so the median-scaled (ms_*) numbers are the ones to compare
# before/after; see the NYU config for the commands.
_base_ = ['./dav2_metric_indoor_large_silog_nutrition5k_session.py']

test_dataloader = dict(
    _delete_=True, batch_size=1, num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='KITTIEigenDepthDataset', data_root='data/kitti/',
                 split_file='eigen_val_files.txt',
                 pipeline=[dict(type='LoadImageDepth'),
                           dict(type='DAV2InferResize', input_size=518, multiple_of=14),
                           dict(type='PackDepthInputs', meta_keys=('sample_id', 'img_path',
                                                                   'ori_shape'))]))
test_evaluator = [dict(type='DepthMetric', min_depth=1e-3, max_depth=80.0, crop=None,
                       median_scaling='both', clamp_pred=False, resize_align_corners=True,
                       min_valid_pixels=10)]
