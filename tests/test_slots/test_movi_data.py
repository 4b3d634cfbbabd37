"""Synthetic MOVi generator, the exported layout reader, dataset and transforms."""
import os
import os.path as osp

import numpy as np
import pytest
import torch

from mmext.registry import DATASETS
from mmext.slots.datasets import index_videos, load_video
from mmext.synthetic.movi import generate_video, write_movi_videos, write_synthetic_movi


def test_generate_video_is_deterministic_and_consistent():
    a = generate_video(np.random.default_rng(3), num_frames=6, size=32, metal_prob=1.0)
    b = generate_video(np.random.default_rng(3), num_frames=6, size=32, metal_prob=1.0)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    video, segs, meta = a
    assert video.shape == (6, 32, 32, 3) and video.dtype == np.uint8
    assert segs.shape == (6, 32, 32)
    ids = np.unique(segs)
    assert ids[0] == 0 and ids.max() <= meta['num_objects']
    assert all(o['metal'] for o in meta['objects'])
    # metal objects carry a specular highlight: some object pixels are near white
    assert (video[segs > 0].min(axis=-1) > 200).any()
    # objects move: the masks change over time
    assert not np.array_equal(segs[0], segs[-1])


def test_generate_video_rejects_bad_counts():
    with pytest.raises(ValueError, match='max_objects'):
        generate_video(np.random.default_rng(0), min_objects=3, max_objects=2)


@pytest.mark.parametrize('fmt', ['folder', 'webdataset'])
def test_write_and_read_back(tmp_path, fmt):
    paths = write_synthetic_movi(str(tmp_path), num_videos=3, split='train', fmt=fmt,
                                 seed=1, videos_per_shard=2, num_frames=4, size=16)
    assert len(paths) == (3 if fmt == 'folder' else 2)
    entries = index_videos(str(tmp_path), 'train')
    assert [e['video_id'] for e in entries] == ['train_000000', 'train_000001',
                                                'train_000002']
    assert {e['fmt'] for e in entries} == {fmt}
    video, segs = load_video(entries[2])
    ref = np.random.default_rng(1)
    for _ in range(3):
        rv, rs, _ = generate_video(ref, num_frames=4, size=16)
    np.testing.assert_array_equal(video, rv)
    np.testing.assert_array_equal(segs, rs)


def test_reader_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='not found'):
        index_videos(str(tmp_path), 'train')
    write_synthetic_movi(str(tmp_path), num_videos=1, num_frames=2, size=8)
    folder = osp.join(str(tmp_path), 'train', 'train_000000')
    os.remove(osp.join(folder, 'segmentations.npy'))
    with pytest.raises(FileNotFoundError, match='segmentations.npy'):
        index_videos(str(tmp_path), 'train')
    np.save(osp.join(folder, 'segmentations.npy'), np.zeros((2, 4, 4), np.uint8))
    with pytest.raises(ValueError, match='does not match'):
        load_video(index_videos(str(tmp_path), 'train')[0])


def test_writer_accepts_tfds_style_segmentations(tmp_path):
    video = np.zeros((2, 4, 4, 3), np.uint8)
    segs = np.ones((2, 4, 4, 1), np.uint8)  # TFDS MOVi: trailing channel axis
    write_movi_videos(str(tmp_path), [('vid', video, segs, {})], split='validation')
    _, s = load_video(index_videos(str(tmp_path), 'validation')[0])
    assert s.shape == (2, 4, 4)
    with pytest.raises(ValueError, match='must not contain'):
        write_movi_videos(str(tmp_path), [('a.b', video, segs, {})])


PIPELINE = [dict(type='LoadMOViClip'), dict(type='ResizeClip', scale=16),
            dict(type='PackSlotInputs')]


@pytest.mark.parametrize('fmt', ['folder', 'webdataset'])
def test_dataset_clip_modes(tmp_path, fmt):
    write_synthetic_movi(str(tmp_path), num_videos=2, fmt=fmt, num_frames=6, size=24)
    ds = DATASETS.build(dict(type='MOViDataset', data_root=str(tmp_path), split='train',
                             num_frames=2, frame_stride=2, clip_mode='all',
                             pipeline=PIPELINE))
    assert len(ds) == 2 * 2  # span 3 frames: starts 0 and 3 in each 6-frame video
    item = ds[0]
    assert item['inputs'].shape == (2, 3, 16, 16) and item['inputs'].dtype == torch.uint8
    sample = item['data_samples']
    assert sample.gt_masks.shape == (2, 24, 24)  # GT keeps its native resolution
    np.testing.assert_array_equal(sample.frame_inds, [0, 2])
    np.testing.assert_array_equal(ds[1]['data_samples'].frame_inds, [3, 5])
    rnd = DATASETS.build(dict(type='MOViDataset', data_root=str(tmp_path), num_frames=1,
                              clip_mode='random', pipeline=PIPELINE, max_videos=1))
    assert len(rnd) == 1 and rnd[0]['inputs'].shape == (1, 3, 16, 16)
    with pytest.raises(ValueError, match='clip_mode'):
        DATASETS.build(dict(type='MOViDataset', data_root=str(tmp_path), clip_mode='x'))
