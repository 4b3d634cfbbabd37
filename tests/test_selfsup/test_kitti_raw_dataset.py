"""KITTIRawDataset and its transforms on the tiny synthetic twin: the packed contract the
self-supervised models rely on, augmentations, GT, and errors naming files and lines."""
import os
import os.path as osp
import shutil

import numpy as np
import pytest
import torch
from mmengine.structures import BaseDataElement

from mmext.registry import DATASETS, TRANSFORMS
from mmext.selfsup.datasets import KITTIRawDataset, read_split_file
from mmext.selfsup.datasets.transforms import FrameColorJitter
from .conftest import KITTI_SYNTH_KW

TRAIN = 'splits/tiny/train_files.txt'
TEST = 'splits/tiny/test_files.txt'


def _dataset(root, pipeline, **kw):
    cfg = dict(type='KITTIRawDataset', data_root=root, ann_file=TRAIN, mask_root='masks',
               pipeline=pipeline)
    cfg.update(kw)
    return DATASETS.build(cfg)


def test_data_infos(kitti_synth):
    root, info = kitti_synth
    ds = KITTIRawDataset(data_root=root, ann_file=TRAIN, mask_root='masks', gt_depth='png')
    lines = read_split_file(info['splits']['train'])
    assert len(ds) == len(lines) == 3
    d = ds.get_data_info(0)
    assert (d['folder'], d['frame_index'], d['side']) == lines[0][:3]
    assert d['img_paths'][0] == d['img_path'] and len(d['img_paths']) == 3
    assert d['img_paths'][1].endswith(f"{d['frame_index'] - 1:010d}.png")
    np.testing.assert_allclose(d['K'], info['K'])
    assert d['ori_shape'] == (40, 128) and d['sample_idx'] == 0
    assert d['mask_path'].endswith(osp.join('image_02', f"{d['frame_index']:010d}.npz"))
    assert ds.metainfo['classes'] == ('car', 'pedestrian', 'cyclist')


def test_pipeline_contract(kitti_synth):
    root, info = kitti_synth
    ds = _dataset(root, [dict(type='LoadKITTIFrames'), dict(type='LoadRoadInstanceMasks'),
                         dict(type='LoadKITTIDepthGT'), dict(type='ResizeFrames', scale=(64, 20)),
                         dict(type='PackSelfSupInputs')], ann_file=TEST, gt_depth='npz')
    out = ds[1]
    frames, aug = out['inputs']['frames'], out['inputs']['frames_aug']
    assert frames.dtype == torch.uint8 and frames.shape == (3, 3, 20, 64)
    assert torch.equal(aug, frames)                       # no jitter ran
    s = out['data_samples']
    assert isinstance(s, BaseDataElement)
    assert s.K.dtype == torch.float32 and s.K.shape == (3, 3)
    K0 = info['K']
    expected = [[K0[0, 0] / 2, 0, (K0[0, 2] + 0.5) / 2 - 0.5],
                [0, K0[1, 1] / 2, (K0[1, 2] + 0.5) / 2 - 0.5], [0, 0, 1]]
    np.testing.assert_allclose(s.K.numpy(), expected, rtol=1e-6)
    assert s.road_mask.dtype == torch.bool and s.road_mask.shape == (20, 64)
    assert s.instance_map.dtype == torch.int64 and s.instance_map.shape == (20, 64)
    n = int(s.instance_map.max())
    assert s.instance_labels.dtype == torch.int64 and s.instance_labels.shape == (n, )
    assert set(s.instance_labels.tolist()) <= {0, 1}     # car / pedestrian
    assert s.instance_heights.shape == (n, )
    assert s.gt_depth.dtype == torch.float32 and s.gt_depth.shape == (40, 128)  # original
    gt = np.load(info['gt_depths'], allow_pickle=True)['data'][1]
    np.testing.assert_array_equal(s.gt_depth.numpy(), gt)
    line = read_split_file(info['splits']['test'])[1]
    assert s.metainfo['img_path'].endswith(f'{line.frame_index:010d}.png')
    assert (s.folder, s.frame_index, s.side) == tuple(line[:3])
    assert s.sample_idx == 1 and s.ori_shape == (40, 128) and s.frame_ids == [0, -1, 1]
    # frames are the files, in frame_ids order (target first), at the network size
    import cv2
    for k, fid in enumerate((0, -1, 1)):
        img = cv2.imread(osp.join(root, line.folder, 'image_02', 'data',
                                  f'{line.frame_index + fid:010d}.png'))[..., ::-1]
        small = cv2.resize(img, (64, 20), interpolation=cv2.INTER_AREA)
        np.testing.assert_array_equal(frames[k].permute(1, 2, 0).numpy(), small)


def test_gt_png_matches_dense_render(kitti_synth):
    root, _ = kitti_synth
    ds = _dataset(root, [dict(type='LoadKITTIFrames'), dict(type='LoadKITTIDepthGT'),
                         dict(type='PackSelfSupInputs')], gt_depth='png')
    s = ds[0]['data_samples']
    assert s.gt_depth.shape == (40, 128) and (s.gt_depth > 0).all()
    assert float(s.gt_depth.max()) <= 80.0


def test_flip_moves_cx_and_masks_with_images(kitti_synth):
    root, _ = kitti_synth
    load = [dict(type='LoadKITTIFrames'), dict(type='LoadRoadInstanceMasks'),
            dict(type='LoadKITTIDepthGT')]
    plain = _dataset(root, load + [dict(type='PackSelfSupInputs')], gt_depth='png')[0]
    flipped = _dataset(root, load + [dict(type='RandomFlipFrames', prob=1.0),
                                     dict(type='PackSelfSupInputs')], gt_depth='png')[0]
    a, b = plain['data_samples'], flipped['data_samples']
    assert b.flip is True
    assert torch.equal(flipped['inputs']['frames'], plain['inputs']['frames'].flip(-1))
    assert torch.equal(b.road_mask, a.road_mask.flip(-1))
    assert torch.equal(b.instance_map, a.instance_map.flip(-1))
    assert torch.equal(b.gt_depth, a.gt_depth.flip(-1))
    assert float(b.K[0, 2]) == pytest.approx(128 - 1 - float(a.K[0, 2]))
    assert torch.equal(b.K[1], a.K[1]) and b.K[0, 0] == a.K[0, 0]
    # masks stay on their pixels: the (flipped) road pixels are grey asphalt / white paint
    img = flipped['inputs']['frames'][0].float()
    spread = (img.max(0).values - img.min(0).values)[b.road_mask]
    assert b.road_mask.sum() > 100 and float(spread.float().mean()) < 12


def test_color_jitter_same_for_all_frames_and_separate_copy(kitti_synth):
    root, _ = kitti_synth
    np.random.seed(3)
    ds = _dataset(root, [dict(type='LoadKITTIFrames'),
                         dict(type='FrameColorJitter', prob=1.0),
                         dict(type='PackSelfSupInputs')], mask_root=None)
    raw = _dataset(root, [dict(type='LoadKITTIFrames'), dict(type='PackSelfSupInputs')],
                   mask_root=None)[0]['inputs']['frames']
    results = ds.pipeline.transforms[1](ds.pipeline.transforms[0](ds.get_data_info(0)))
    params = results['color_jitter']
    assert params is not None
    np.testing.assert_array_equal(results['frames'], raw.permute(0, 2, 3, 1).numpy())
    aug = results['frames_aug']
    assert not np.array_equal(aug, results['frames'])
    for k in range(3):   # each frame jittered alone with the same parameters: same result
        np.testing.assert_array_equal(aug[k], FrameColorJitter.apply(results['frames'][k:k + 1],
                                                                     params)[0])
    packed = ds[0]['inputs']
    assert torch.equal(packed['frames'], raw)
    assert packed['frames_aug'].shape == raw.shape and packed['frames_aug'].dtype == torch.uint8
    never = TRANSFORMS.build(dict(type='FrameColorJitter', prob=0.0))
    assert 'frames_aug' not in never(dict(frames=results['frames']))


def test_errors_name_file_and_line(tmp_path, kitti_synth):
    root, info = kitti_synth
    copy = str(tmp_path / 'kitti')
    shutil.copytree(root, copy)
    lines = read_split_file(osp.join(copy, TRAIN))
    # missing neighbour frame: the drive's last frame is only the +1 neighbour of frame 4,
    # its first only the -1 neighbour of frame 1; one of the two is in the train split
    n = KITTI_SYNTH_KW['frames_per_drive']
    k, ln = next((k, ln) for k, ln in enumerate(lines, 1) if ln.frame_index in (1, n - 2))
    fid = -1 if ln.frame_index == 1 else 1
    nb = osp.join(copy, ln.folder, 'image_02', 'data', f'{ln.frame_index + fid:010d}.png')
    os.rename(nb, nb + '.bak')
    with pytest.raises(FileNotFoundError, match=f'neighbour frame {fid:+d}') as err:
        KITTIRawDataset(data_root=copy, ann_file=TRAIN)
    assert nb in str(err.value) and f'train_files.txt:{k}' in str(err.value)
    os.rename(nb + '.bak', nb)
    # missing mask
    m = osp.join(copy, 'masks', ln.folder, 'image_02', f'{ln.frame_index:010d}.npz')
    os.rename(m, m + '.bak')
    with pytest.raises(FileNotFoundError, match='mask file not found'):
        KITTIRawDataset(data_root=copy, ann_file=TRAIN, mask_root='masks')
    os.rename(m + '.bak', m)
    # bad split line
    split = osp.join(copy, 'splits', 'tiny', 'bad_files.txt')
    with open(split, 'w') as f:
        f.write(f'{ln.folder} 2 l\n{ln.folder} 3\n')
    with pytest.raises(ValueError, match=r'bad_files.txt:2.*folder frame side'):
        KITTIRawDataset(data_root=copy, ann_file='splits/tiny/bad_files.txt')
    # gt npz not aligned with the split
    with pytest.raises(ValueError, match='aligned'):
        KITTIRawDataset(data_root=copy, ann_file=TRAIN, gt_depth='splits/tiny/gt_depths.npz')
    # missing calibration
    os.remove(osp.join(copy, '2011_09_26', 'calib_cam_to_cam.txt'))
    with pytest.raises(FileNotFoundError, match=r'calib_cam_to_cam.txt.*train_files.txt:1'):
        KITTIRawDataset(data_root=copy, ann_file=TRAIN)
    with pytest.raises(ValueError, match='frame_ids'):
        KITTIRawDataset(data_root=copy, ann_file=TRAIN, frame_ids=(-1, 0, 1))


def test_bad_mask_file_is_named(tmp_path, kitti_synth):
    root, _ = kitti_synth
    copy = str(tmp_path / 'kitti')
    shutil.copytree(root, copy)
    ds = _dataset(copy, [dict(type='LoadKITTIFrames'), dict(type='LoadRoadInstanceMasks')])
    path = ds.get_data_info(0)['mask_path']
    np.savez_compressed(path, road=np.zeros((40, 128), np.uint8))
    with pytest.raises(ValueError, match=r'missing key\(s\) \[.instances., .labels.\]') as err:
        ds[0]
    assert path in str(err.value)


def test_generate_if_missing(tmp_path):
    root = str(tmp_path / 'gen')
    kw = dict(KITTI_SYNTH_KW, frames_per_drive=4, image_size=(64, 20))
    ds = KITTIRawDataset(data_root=root, ann_file='splits/tiny/val_files.txt',
                         generate_if_missing=kw)
    assert len(ds) == 1 and osp.isfile(osp.join(root, '2011_09_26', 'calib_velo_to_cam.txt'))
    with pytest.raises(FileNotFoundError, match=r'split file not found.*KITTI raw'):
        KITTIRawDataset(data_root=str(tmp_path / 'none'), ann_file=TRAIN)


def test_masks_loaded_after_resize_and_flip_match(kitti_synth):
    root, _ = kitti_synth
    first = _dataset(root, [dict(type='LoadKITTIFrames'), dict(type='LoadRoadInstanceMasks'),
                            dict(type='ResizeFrames', scale=(64, 20)),
                            dict(type='RandomFlipFrames', prob=1.0),
                            dict(type='PackSelfSupInputs')])[0]['data_samples']
    last = _dataset(root, [dict(type='LoadKITTIFrames'), dict(type='ResizeFrames', scale=(64, 20)),
                           dict(type='RandomFlipFrames', prob=1.0),
                           dict(type='LoadRoadInstanceMasks'),
                           dict(type='PackSelfSupInputs')])[0]['data_samples']
    assert torch.equal(first.road_mask, last.road_mask)
    assert torch.equal(first.instance_map, last.instance_map)
