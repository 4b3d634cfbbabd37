"""Tiny FUMET configs on the tiny synthetic KITTI twin, and a test-only dump hook."""
import os
import os.path as osp

import torch
from mmengine.dist import get_rank, get_world_size
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmext.registry import HOOKS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
FUMET_CPU = osp.join(REPO, 'configs', 'selfsup', 'fumet_r18c16_synthkitti_256x96_cpu.py')


def write_selfsup_toy_config(path: str, data_root: str, max_epochs: int = 1,
                             split: str = 'tiny', base: str = FUMET_CPU,
                             extra: str = '') -> str:
    """A config inheriting ``base`` on an existing twin: 128x64 input, 8-channel ResNet-18,
    batch 2, camera-height estimate after every epoch, no validation."""
    text = f"""
_base_ = {base!r}
data_root = {data_root!r}
input_size = (128, 64)
_resize = dict(type='ResizeFrames', scale=input_size)
_pipe = [dict(type='LoadKITTIFrames'), dict(type='LoadRoadInstanceMasks'), _resize,
         dict(type='RandomFlipFrames', prob=0.5), dict(type='FrameColorJitter', prob=0.5),
         dict(type='PackSelfSupInputs')]
_est = [dict(type='LoadKITTIFrames'), dict(type='LoadRoadInstanceMasks'), _resize,
        dict(type='PackSelfSupInputs')]
_test = [dict(type='LoadKITTIFrames'), dict(type='LoadRoadInstanceMasks'),
         dict(type='LoadKITTIDepthGT'), _resize, dict(type='PackSelfSupInputs')]
_r18 = dict(type='ResNet', depth=18, base_channels=8, init_cfg=None)
model = dict(depth_encoder=dict(backbone=dict(_r18, in_channels=3)),
             depth_decoder=dict(num_ch_dec=(4, 8, 8, 16, 16)),
             pose_net=dict(hidden=16, encoder=dict(backbone=dict(_r18, in_channels=6))))
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, ann_file='splits/{split}/train_files.txt',
                 generate_if_missing=None, pipeline=_pipe))
_est_loader = dict(batch_size=2, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(type='KITTIRawDataset', data_root=data_root,
                 ann_file='splits/{split}/train_files.txt', frame_ids=(0, -1, 1),
                 mask_root='masks', metainfo=dict(classes={{{{_base_.classes}}}}),
                 pipeline=_est))
custom_hooks = [dict(type='SetEpochInfoHook'),
                dict(type='CameraHeightHook', dataloader=_est_loader, first_epoch=1)]
train_cfg = dict(max_epochs={max_epochs}, val_interval=100)
val_cfg = None
val_dataloader = None
val_evaluator = None
test_dataloader = dict(batch_size=2, num_workers=0,
    dataset=dict(data_root=data_root, ann_file='splits/{split}/test_files.txt',
                 generate_if_missing=None, pipeline=_test))
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1))
visualizer = dict(vis_backends=[dict(type='LocalVisBackend')])
randomness = dict(seed=0)
{extra}"""
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path


@HOOKS.register_module()
class CameraHeightDumpHook(Hook):
    """After training, save this rank's camera-height target and the hook's history."""

    priority = 'LOWEST'

    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir

    def after_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        hook = next(h for h in runner.hooks if type(h).__name__ == 'CameraHeightHook')
        os.makedirs(self.out_dir, exist_ok=True)
        torch.save(dict(rank=get_rank(), world_size=get_world_size(),
                        target=float(model.camera_height_target), history=hook.history),
                   osp.join(self.out_dir, f'rank{get_rank()}.pt'))
