"""Selfsup panels: the road-plane overlay finds the rendered road; the curve is drawn."""
import numpy as np
import torch

from mmext.selfsup.visualization import plot_camera_height_curve, road_overlay, selfsup_panel
from tests.test_selfsup.test_camera_height_metric import flat_road


def test_road_overlay_tints_the_road_and_reports_its_height():
    depth, road, K = flat_road(h=1.65)
    depth[5:12, 40:60] = 20.0                         # a wall above the horizon, off the road
    bgr = np.full((*depth.shape, 3), 128, np.uint8)
    out = road_overlay(bgr, depth.numpy(), K.numpy(), road.numpy())
    green = (out[..., 1] > 150) & (out[..., 0] < 100)
    lower = road.numpy().copy()
    lower[:20] = False                                 # skip the label text
    assert green[lower].mean() > 0.95                  # every road pixel is on the plane
    assert not green[5:12, 40:60].any()
    panel = selfsup_panel(bgr[..., ::-1], depth.numpy(), K.numpy(), road.numpy(),
                          gt=depth.numpy())
    assert panel.shape == (depth.shape[0], 5 * depth.shape[1], 3)


def test_camera_height_curve(tmp_path):
    hist = [dict(epoch=1, estimate=1.2, target=1.2), dict(epoch=2, estimate=1.6, target=1.4)]
    plot_camera_height_curve(hist, str(tmp_path / 'c.png'), reference=1.65)
    assert (tmp_path / 'c.png').stat().st_size > 1000
