"""SAM2PseudoLabeler: mask->box geometry, acceptance rules, the weight-free backend on a
synthetic thermal scene, and both SAM 2 backends end to end on tiny random models."""
import cv2
import numpy as np
import pytest

from mmext.detection.pseudo_labels import (HFSam2Backend, SAM2PseudoLabeler,
                                           Sam2PackageBackend, box_iou, map_boxes,
                                           mask_to_box)
from mmext.detection.pseudo_labels.mask_backends import MaskBackend
from mmext.registry import TASK_UTILS
from tests._helpers.thermal_standins import TINY_SAM2_OVERRIDES, write_hf_sam2


def test_mask_to_box_pixel_edges():
    m = np.zeros((10, 12), bool)
    m[2:5, 3:8] = True
    assert mask_to_box(m).tolist() == [3, 2, 8, 5]
    m[9, 0] = True  # an L-shaped extent
    assert mask_to_box(m).tolist() == [0, 2, 8, 10]
    assert mask_to_box(np.zeros((4, 4), bool)) is None


def test_box_iou_and_homography_mapping():
    assert box_iou([0, 0, 10, 10], [5, 0, 15, 10])[0, 0] == pytest.approx(50 / 150)
    H = np.array([[2.0, 0, 10], [0, 2.0, -4], [0, 0, 1]])
    assert map_boxes([[1, 2, 3, 6]], H).tolist() == [[12, 0, 16, 8]]
    assert map_boxes([[1, 2, 3, 6]], H, clip_shape=(5, 14)).tolist() == [[12, 0, 14, 5]]
    aff = H[:2]
    assert np.allclose(map_boxes([[1, 2, 3, 6]], aff), [[12, 0, 16, 8]])


class _FixedMasks(MaskBackend):
    """Returns prepared masks, recording how it was called."""

    def __init__(self, masks):
        self.masks, self.calls = masks, []

    def predict_masks(self, image, boxes):
        self.calls.append(np.asarray(boxes).copy())
        return self.masks[:len(boxes)]


def test_acceptance_rules_and_class_filter():
    h, w = 40, 40
    masks = np.zeros((4, h, w), bool)
    masks[0, 10:20, 10:18] = True      # tight version of box 0 -> refined
    masks[2, 0:2, 0:2] = True          # 4 px -> too small
    masks[3, 30:40, 30:40] = True      # far away from its box -> low IoU
    boxes = np.array([[8, 8, 22, 22], [0, 0, 10, 10], [0, 0, 5, 5], [0, 0, 12, 12],
                      [5, 5, 9, 9]], float)
    labels = np.array([0, 0, 0, 0, 2])
    backend = _FixedMasks(masks)
    labeler = SAM2PseudoLabeler(backend=backend, iou_thr=0.3, min_area=5, classes=[0])
    res = labeler.refine(np.zeros((h, w, 3), np.uint8), boxes, labels)
    assert res.status == ['refined', 'empty_mask', 'small_mask', 'low_iou', 'class_disabled']
    assert res.boxes[0].tolist() == [10, 10, 18, 20]
    assert np.array_equal(res.boxes[1:], boxes[1:])
    assert len(backend.calls) == 1 and len(backend.calls[0]) == 4  # one batched call


def _thermal_scene():
    rng = np.random.default_rng(0)
    img = rng.normal(80, 5, (96, 128)).clip(0, 255)
    img[30:80, 40:58] = 220  # a warm person-like blob
    img[20:30, 44:54] = 230  # head
    img[50:70, 90:120] = 160  # a car body, dimmer
    rgb = np.repeat(img.astype(np.uint8)[..., None], 3, axis=2)
    true = np.array([[40, 20, 58, 80], [90, 50, 120, 70]], float)
    return rgb, true


def test_thermal_otsu_backend_tightens_loose_boxes():
    rgb, true = _thermal_scene()
    loose = true + np.array([[-6, -5, 7, 6], [-5, -6, 6, 4]])
    labeler = TASK_UTILS.build(dict(type='SAM2PseudoLabeler',
                                    backend=dict(type='thermal_otsu')))
    res = labeler.refine(rgb, loose, np.array([0, 2]))
    assert res.status == ['refined', 'refined']
    before = np.diag(box_iou(loose, true))
    after = np.diag(box_iou(res.boxes, true))
    assert (before < 0.75).all() and (after > 0.95).all(), (before, after)


def test_thermal_otsu_empty_on_flat_background():
    rgb = np.full((50, 50, 3), 90, np.uint8)
    res = SAM2PseudoLabeler(backend=dict(type='thermal_otsu')).refine(
        rgb, np.array([[10, 10, 30, 30]]))
    assert res.status == ['empty_mask'] and res.boxes[0].tolist() == [10, 10, 30, 30]


def _check_backend(backend):
    rng = np.random.default_rng(1)
    image = (rng.random((120, 160, 3)) * 255).astype(np.uint8)  # non-square, not 256
    boxes = np.array([[10, 20, 60, 90], [70, 10, 150, 100], [5, 5, 40, 30]], float)
    many = backend.predict_masks(image, boxes)
    one = backend.predict_masks(image, boxes[:1])
    assert many.shape == (3, 120, 160) and many.dtype == bool
    assert one.shape == (1, 120, 160)
    # a box's mask does not depend on the other boxes in the batched call
    assert (one[0] == many[0]).mean() > 0.99
    res = SAM2PseudoLabeler(backend=backend, iou_thr=0.0, min_area=1).refine(image, boxes)
    assert res.boxes.shape == (3, 4)
    assert (res.boxes[:, [0, 2]] <= 160).all() and (res.boxes[:, [1, 3]] <= 120).all()


def test_hf_sam2_backend_tiny_random_model_from_local_dir(tmp_path):
    _check_backend(HFSam2Backend(write_hf_sam2(str(tmp_path))))


def test_sam2_package_backend_tiny_random_model():
    backend = Sam2PackageBackend('configs/sam2.1/sam2.1_hiera_t.yaml', checkpoint=None,
                                 hydra_overrides=TINY_SAM2_OVERRIDES)
    _check_backend(backend)


def test_unsharp_preprocess_formula_and_use():
    from mmext.detection.pseudo_labels.enhance import unsharp_mask
    from mmext.utils.errors import UserInputError
    img = np.zeros((9, 9, 3), np.uint8)
    img[:, 4:] = 100  # a vertical edge
    out = unsharp_mask(img, sigma=1.0, amount=1.0)
    blur = cv2.GaussianBlur(img.astype(np.float32), (0, 0), 1.0)
    expected = np.clip(2 * img.astype(np.float32) - blur, 0, 255).round()
    assert np.array_equal(out, expected.astype(np.uint8))
    assert out[4, 4, 0] > 100 and out[4, 3, 0] == 0  # the edge is steeper
    seen = []

    class _Spy(MaskBackend):
        def predict_masks(self, image, boxes):
            seen.append(image.copy())
            return np.zeros((len(boxes), ) + image.shape[:2], bool)

    SAM2PseudoLabeler(backend=_Spy(), preprocess=dict(type='unsharp', sigma=1.0)).refine(
        img, np.array([[1, 1, 8, 8]]))
    assert np.array_equal(seen[0], out)
    with pytest.raises(UserInputError, match='unsharp'):
        SAM2PseudoLabeler(backend=_Spy(), preprocess=dict(type='clahe'))
