"""DepthVisualizationHook: depth/volume panels for ``tools/test.py --show-dir`` and TensorBoard."""
import os.path as osp
from typing import Optional, Sequence

import cv2
import numpy as np
from mmengine.hooks import Hook

from mmext.registry import HOOKS
from mmext.utils.vis import test_show_dir, to_numpy
from .depth_panels import depth_panel


@HOOKS.register_module()
class DepthVisualizationHook(Hook):
    """Draw RGB / GT depth / predicted depth / error / volume overlay panels.

    Validation (``log_val=True``): every ``interval``-th batch's first sample goes to the
    visualizer backends (TensorBoard with ``TensorboardVisBackend``). Test with ``draw=True``
    (``tools/test.py --show-dir DIR``): one PNG per sample in ``DIR`` (relative paths go under
    ``<work_dir>/<timestamp>/``).

    Args:
        draw: Write test panels.
        log_val: Send validation panels to the visualizer backends.
        interval: Validation batches between logged panels.
        test_out_dir: Output folder for test panels.
        ring: Plane-fit ring (inner, width) of the volume overlay, pixels.
    """
    priority = 'NORMAL'

    def __init__(self, draw: bool = False, log_val: bool = True, interval: int = 10,
                 test_out_dir: Optional[str] = None, ring: Sequence[int] = (5, 20)) -> None:
        self.draw, self.log_val, self.interval = draw, log_val, interval
        self.test_out_dir, self.ring = test_out_dir, ring

    def _panel(self, s) -> np.ndarray:
        d = s.to_dict() if hasattr(s, 'to_dict') else dict(s)
        rgb = cv2.imread(d['img_path'], cv2.IMREAD_COLOR)[..., ::-1] if 'img_path' in d else \
            np.zeros((*to_numpy(d['pred_depth']).shape, 3), np.uint8)
        mask = to_numpy(d.get('food_mask'))
        vol = d.get('gt_volume')
        return depth_panel(rgb, to_numpy(d['pred_depth']).astype(np.float32), to_numpy(d.get('gt_depth')),
                           None if mask is None else mask.astype(bool), to_numpy(d.get('K')),
                           None if vol is None else float(vol), tuple(self.ring))

    def after_val_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if not self.log_val or not outputs or batch_idx % self.interval:
            return
        panel = self._panel(outputs[0])
        runner.visualizer.add_image(f'val_depth_{batch_idx}', panel[..., ::-1],
                                    step=runner.iter)

    def after_test_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if not self.draw or not outputs:
            return
        out_dir = test_show_dir(runner, self.test_out_dir)
        for i, s in enumerate(outputs):
            name = s.get('dish_id', None) or f'{batch_idx:06d}_{i}'
            cv2.imwrite(osp.join(out_dir, f'{name}.png'), self._panel(s))
