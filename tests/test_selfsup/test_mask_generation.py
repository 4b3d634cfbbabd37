"""Mask generation from segmentation output: fragment clean-up (log 002), panoptic and
instance outputs -> the documented mask format."""
import numpy as np

from mmext.selfsup.mask_generation import (clean_fragments, masks_from_instances,
                                           masks_from_panoptic)


def test_clean_fragments_drops_far_and_small_pieces():
    m = np.zeros((40, 60), bool)
    m[10:30, 10:25] = True            # the object (300 px)
    m[10:30, 27:35] = True            # the same object behind a pole (160 px, 2 px gap)
    m[2:6, 50:58] = True              # a stray piece far away (32 px)
    m[35:39, 12:20] = True            # a small piece close by (32 px < 0.5 x 300)
    out = clean_fragments(m, keep_ratio=0.5, max_gap=4)
    assert out[10:30, 10:25].all() and out[10:30, 27:35].all()
    assert not out[2:6, 50:58].any() and not out[35:39, 12:20].any()
    far = np.zeros_like(m)
    far[10:30, 10:25] = True
    far[10:30, 45:58] = True          # as large but 20 px away: a fragment
    assert clean_fragments(far).sum() == 300
    assert not clean_fragments(np.zeros((4, 4), bool)).any()


def test_masks_from_panoptic():
    classes = ('person', 'car', 'road', 'sky')
    pan = np.full((30, 40), 3, np.int64)                       # sky (stuff)
    pan[15:] = 2                                               # road
    pan[8:20, 5:15] = 1 + 1 * 1000                             # car id 1
    pan[10:22, 25:28] = 0 + 2 * 1000                           # person id 2
    pan[0:3, 35:38] = 1 + 1 * 1000                             # fragment of car 1
    pan[25:30, 0:3] = len(classes)                             # void
    road, inst, labels = masks_from_panoptic(pan, classes, {'car': 'car',
                                                            'person': 'pedestrian'}, ['road'],
                                             min_area=5)
    assert road.dtype == bool and road[15:].sum() == (pan[15:] == 2).sum()
    assert labels == ['car', 'pedestrian']                    # larger first
    assert (inst == 1).sum() == 120 and (inst == 2).sum() == 36
    assert inst[0:3, 35:38].max() == 0                        # fragment removed
    import pytest
    with pytest.raises(ValueError, match='road classes'):
        masks_from_panoptic(pan, classes, {}, ['street'])


def test_masks_from_instances_score_order_and_threshold():
    classes = ('person', 'car')
    masks = np.zeros((3, 20, 20), bool)
    masks[0, 2:12, 2:12] = True
    masks[1, 6:16, 6:16] = True
    masks[2, 0:5, 15:20] = True
    road = np.zeros((20, 20), bool)
    road[15:] = True
    r, inst, labels = masks_from_instances(masks, np.array([1, 0, 1]),
                                           np.array([0.6, 0.9, 0.3]), classes,
                                           {'car': 'car', 'person': 'pedestrian'}, 0.5, road,
                                           min_area=5)
    assert labels == ['pedestrian', 'car']                    # highest score first
    assert (inst == 1).sum() == 100                           # owns the overlap
    assert (inst == 2).sum() == 100 - 36
    assert r is not None and r.sum() == 100
