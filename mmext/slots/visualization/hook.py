"""SlotVisualizationHook: per-slot mask pictures from ``tools/test.py --show-dir``.

Follows mmdet's ``DetVisualizationHook`` switches, so the usual ``--show-dir DIR`` handling
(``default_hooks.visualization.draw = True``, ``.test_out_dir = DIR``) turns it on: for the
first ``max_samples`` test clips it writes ``<video_id>_<start>.png`` (a slot grid, one row
per frame) and, for clips longer than one frame, ``<video_id>_<start>.gif``. A relative
``test_out_dir`` is placed under ``<work_dir>/<timestamp>/`` as in mmdet.
"""
import os.path as osp
from typing import Any, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.hooks import Hook

from mmext.registry import HOOKS
from mmext.utils.vis import test_show_dir
from .render import save_gif, save_png, slot_grid


@HOOKS.register_module()
class SlotVisualizationHook(Hook):
    """Write slot mask grids / GIFs of test predictions.

    Args:
        draw: Master switch (``--show-dir`` sets it).
        interval: Visualise every ``interval``-th test batch.
        test_out_dir: Output folder.
        max_samples: Stop after this many clips.
        show: Accepted for mmdet compatibility; interactive display is not supported.
        wait_time: Accepted for mmdet compatibility.
    """

    priority = 'NORMAL'

    def __init__(self, draw: bool = False, interval: int = 1,
                 test_out_dir: Optional[str] = None, max_samples: int = 16,
                 show: bool = False, wait_time: float = 0.0) -> None:
        self.draw, self.interval = draw, interval
        self.test_out_dir, self.max_samples = test_out_dir, max_samples
        self.show, self.wait_time = show, wait_time
        self._count = 0

    def before_test(self, runner: Any) -> None:
        self._count = 0
        if self.draw and self.test_out_dir:
            self.test_out_dir = test_show_dir(runner, self.test_out_dir)

    def after_test_iter(self, runner: Any, batch_idx: int, data_batch: Any = None,
                        outputs: Optional[Sequence[Any]] = None) -> None:
        if not (self.draw and self.test_out_dir) or batch_idx % self.interval:
            return
        for clip, out in zip(data_batch['inputs'], outputs):
            if self._count >= self.max_samples:
                return
            self.write(clip, out, self.test_out_dir)
            self._count += 1

    @staticmethod
    def write(clip: torch.Tensor, output: Any, out_dir: str) -> str:
        """Write the pictures of one clip (uint8 (T, 3, H, W)); returns the PNG path."""
        frames = clip.permute(0, 2, 3, 1).cpu().numpy().astype(np.uint8)
        masks = output.pred_masks.float().cpu()
        if masks.shape[-2:] != frames.shape[1:3]:
            masks = F.interpolate(masks, size=frames.shape[1:3], mode='bilinear',
                                  align_corners=False)
        masks = masks.numpy()
        meta = output.metainfo
        name = f"{meta.get('video_id', 'clip')}_{int(meta.get('start', 0))}"
        png = osp.join(out_dir, name + '.png')
        save_png(slot_grid(frames, masks), png)
        if frames.shape[0] > 1:
            save_gif(frames, masks, osp.join(out_dir, name + '.gif'))
        return png
