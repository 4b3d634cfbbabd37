"""Slot mask pictures and the test-time hook."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.structures import BaseDataElement
from PIL import Image

from mmext.registry import HOOKS
from mmext.slots.baselines import grid_masks, single_slot_masks
from mmext.slots.visualization import overlay_slots, slot_grid, slot_row


def test_overlay_and_grid_shapes_and_values():
    img = np.full((4, 6, 3), 100, np.uint8)
    masks = np.zeros((2, 4, 6))
    masks[0, :, :3] = 1
    masks[1, :, 3:] = 1
    ov = overlay_slots(img, masks, alpha=1.0)
    assert tuple(ov[0, 0]) == (230, 25, 75) and tuple(ov[0, 5]) == (60, 180, 75)
    row = slot_row(img, masks, pad=2)
    assert row.shape == (4, 4 * 6 + 3 * 2, 3)
    # tiles: image 0-5 | pad | overlay 8-13 | pad | slot 0 16-21 | pad | slot 1 24-29
    assert (row[:, 16:19] == 100).all() and (row[:, 19:22] == 0).all()
    assert (row[:, 24:27] == 0).all() and (row[:, 27:30] == 100).all()
    grid = slot_grid(np.stack([img] * 3), np.stack([masks] * 3), pad=2)
    assert grid.shape == (3 * 4 + 2 * 2, row.shape[1], 3)
    with pytest.raises(ValueError, match='matching'):
        overlay_slots(img, masks[:, :2])


def test_hook_writes_png_and_gif(tmp_path):
    hook = HOOKS.build(dict(type='SlotVisualizationHook', draw=True,
                            test_out_dir=str(tmp_path)))
    clip = torch.randint(0, 256, (3, 3, 8, 8), dtype=torch.uint8)
    out = BaseDataElement(metainfo=dict(video_id='vid', start=0))
    out.pred_masks = grid_masks(3, 16, 16, 1, 2)  # GT resolution differs from the frames
    hook.after_test_iter(None, 0, dict(inputs=[clip]), [out])
    png = Image.open(osp.join(str(tmp_path), 'vid_0.png'))
    assert png.size == (4 * 8 + 3 * 2, 3 * 8 + 2 * 2)
    gif = Image.open(osp.join(str(tmp_path), 'vid_0.gif'))
    assert gif.n_frames == 3


def test_trivial_baseline_masks():
    g = grid_masks(2, 5, 4, 2, 2)
    assert g.shape == (2, 4, 5, 4)
    torch.testing.assert_close(g.sum(1), torch.ones(2, 5, 4))
    assert g[0, 0, :3, :2].all() and g[0, 3, 3:, 2:].all()
    assert single_slot_masks(1, 2, 2).shape == (1, 1, 2, 2)
