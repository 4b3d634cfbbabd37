"""Test-only hook: records what each distributed rank trained on and its final weights.

Imported by test configs through ``custom_imports=dict(imports=['tests._helpers.rank_dump_hook'])``.
"""
import os
import os.path as osp

import torch
from mmengine.dist import get_rank, get_world_size
from mmengine.hooks import Hook

from mmext.registry import HOOKS


@HOOKS.register_module()
class RankDumpHook(Hook):
    """After training, save this rank's parameters and the image ids it was given."""

    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir
        self.img_ids = []
        self.iters = 0

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        self.iters += 1
        for sample in data_batch['data_samples']:
            self.img_ids.append(int(sample.metainfo['img_id']))

    def after_run(self, runner) -> None:
        model = runner.model.module if hasattr(runner.model, 'module') else runner.model
        os.makedirs(self.out_dir, exist_ok=True)
        params = {k: v.detach().cpu().clone() for k, v in model.named_parameters()}
        torch.save(dict(rank=get_rank(), world_size=get_world_size(), iters=self.iters,
                        img_ids=self.img_ids, params=params),
                   osp.join(self.out_dir, f'rank{get_rank()}.pt'))
