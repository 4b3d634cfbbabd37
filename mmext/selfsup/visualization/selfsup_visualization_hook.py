"""SelfSupVisualizationHook: disparity / depth / road-plane panels for ``--show-dir``."""
import os.path as osp
from typing import Optional

import cv2
import numpy as np
from mmengine.hooks import Hook

from mmext.registry import HOOKS
from mmext.utils.vis import test_show_dir, to_numpy
from .panels import selfsup_panel


@HOOKS.register_module()
class SelfSupVisualizationHook(Hook):
    """Draw RGB | disparity | depth | error | road-plane overlay panels.

    Test with ``draw=True`` (``tools/test.py --show-dir DIR``): one PNG per sample in
    ``DIR`` (relative paths under ``<work_dir>/<timestamp>/``). Validation: every
    ``interval``-th batch's first sample goes to the visualizer backends.

    Args:
        draw: Write test panels.
        log_val: Send validation panels to the visualizer backends.
        interval: Validation batches between logged panels.
        test_out_dir: Output folder for test panels.
    """
    priority = 'NORMAL'

    def __init__(self, draw: bool = False, log_val: bool = True, interval: int = 10,
                 test_out_dir: Optional[str] = None) -> None:
        self.draw, self.log_val, self.interval = draw, log_val, interval
        self.test_out_dir = test_out_dir

    @staticmethod
    def panel(s) -> np.ndarray:
        """BGR panel of one predicted data sample."""
        d = s.to_dict() if hasattr(s, 'to_dict') else dict(s)
        depth = 1.0 / np.maximum(to_numpy(d['pred_disp']).astype(np.float64), 1e-9)
        rgb = cv2.imread(d['img_path'], cv2.IMREAD_COLOR)[..., ::-1] if 'img_path' in d \
            else np.zeros((*depth.shape, 3), np.uint8)
        return selfsup_panel(rgb, depth, to_numpy(d.get('K')), to_numpy(d.get('road_mask')),
                             to_numpy(d.get('gt_depth')))

    def after_val_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if not self.log_val or not outputs or batch_idx % self.interval:
            return
        runner.visualizer.add_image(f'val_selfsup_{batch_idx}',
                                    self.panel(outputs[0])[..., ::-1], step=runner.iter)

    def after_test_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if not self.draw or not outputs:
            return
        out_dir = test_show_dir(runner, self.test_out_dir)
        for i, s in enumerate(outputs):
            meta = s.metainfo if hasattr(s, 'metainfo') else {}
            if 'folder' in meta:
                name = f"{meta['folder'].replace('/', '_')}_{meta.get('frame_index', i)}"
            else:
                name = f'{batch_idx:06d}_{i}'
            cv2.imwrite(osp.join(out_dir, f'{name}.png'), self.panel(s))
