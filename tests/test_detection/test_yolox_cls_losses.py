"""PerClassFocalLoss against its formula and mmdet's function; mmdet's QualityFocalLoss (used
instead of a copy) against the QFL formula on YOLOX's soft targets; a few YOLOXHead steps."""
import math

import pytest
import torch
from mmdet.models.losses.focal_loss import py_sigmoid_focal_loss
from mmdet.models.losses import QualityFocalLoss
from mmengine.structures import InstanceData

import mmext  # noqa: F401
from mmext.detection.losses import PerClassFocalLoss
from mmext.registry import MODELS

LOGITS = torch.tensor([[2.0, -1.0, 0.5], [-0.3, 0.8, -2.0]])
TARGET = torch.tensor([[0.7, 0.0, 0.0], [0.0, 0.0, 0.4]])  # one_hot * IoU, as in YOLOX


def _sigmoid(x):
    return 1 / (1 + math.exp(-x))


def _bce(x, t):
    p = _sigmoid(x)
    return -(t * math.log(p) + (1 - t) * math.log(1 - p))


def test_focal_per_class_alpha_hand_computed():
    alpha, gamma = [0.25, 0.5, 0.75], 2.0
    expected = 0.0
    for i in range(2):
        for c in range(3):
            x, t = LOGITS[i, c].item(), TARGET[i, c].item()
            p = _sigmoid(x)
            p_t = p * t + (1 - p) * (1 - t)
            a_t = alpha[c] * t + (1 - alpha[c]) * (1 - t)
            expected += a_t * (1 - p_t)**gamma * _bce(x, t)
    loss = PerClassFocalLoss(alpha=alpha, gamma=gamma)(LOGITS, TARGET)
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_focal_scalar_alpha_equals_mmdet():
    ours = PerClassFocalLoss(alpha=0.25, gamma=2.0)(LOGITS, TARGET)
    ref = py_sigmoid_focal_loss(LOGITS, TARGET, gamma=2.0, alpha=0.25, reduction='sum')
    assert ours.item() == pytest.approx(ref.item(), rel=1e-6)
    # a per-class list with equal values is the same loss
    same = PerClassFocalLoss(alpha=[0.25, 0.25, 0.25])(LOGITS, TARGET)
    assert same.item() == pytest.approx(ref.item(), rel=1e-6)


def test_focal_per_class_alpha_changes_only_its_class():
    base = PerClassFocalLoss(alpha=0.25, reduction='none')(LOGITS, TARGET)
    changed = PerClassFocalLoss(alpha=[0.25, 0.9, 0.25], reduction='none')(LOGITS, TARGET)
    assert torch.allclose(base[:, [0, 2]], changed[:, [0, 2]])
    assert not torch.allclose(base[:, 1], changed[:, 1])


def test_qfl_hand_computed_and_mmdet():
    expected = sum(abs(TARGET[i, c].item() - _sigmoid(LOGITS[i, c].item()))**2 *
                   _bce(LOGITS[i, c].item(), TARGET[i, c].item())
                   for i in range(2) for c in range(3))
    loss = QualityFocalLoss(use_sigmoid=True, beta=2.0, reduction='sum')(LOGITS, TARGET)
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    # the formula can fail: a changed target changes the value
    other = QualityFocalLoss(use_sigmoid=True, beta=2.0, reduction='sum')(LOGITS, TARGET / 2)
    assert abs(other.item() - expected) > 1e-3


def test_bad_targets_rejected():
    with pytest.raises(ValueError, match='shape of the logits'):
        PerClassFocalLoss()(LOGITS, torch.tensor([0, 2]))
    with pytest.raises(ValueError, match='2 alpha values'):
        PerClassFocalLoss(alpha=[0.1, 0.2])(LOGITS, TARGET)
    with pytest.raises(ValueError, match=r'\[0, 1\]'):
        PerClassFocalLoss(alpha=[0.1, 1.5, 0.2])


def test_gradients_finite_on_empty_input():
    for loss in (PerClassFocalLoss(alpha=[0.2, 0.3, 0.4]),
                 QualityFocalLoss(use_sigmoid=True, reduction='sum')):
        x = torch.zeros(0, 3, requires_grad=True)
        out = loss(x, torch.zeros(0, 3))
        out.backward()
        assert out.item() == 0.0 and torch.isfinite(x.grad).all()


def _yolox_head(loss_cls):
    head = MODELS.build(dict(
        type='YOLOXHead', num_classes=3, in_channels=16, feat_channels=16, stacked_convs=1,
        strides=(8, 16), loss_cls=loss_cls,
        train_cfg=dict(assigner=dict(type='SimOTAAssigner', center_radius=2.5))))
    head.init_weights()
    return head


@pytest.mark.parametrize('loss_cls', [
    dict(type='PerClassFocalLoss', alpha=[0.25, 0.5, 0.25], gamma=2.0, reduction='sum'),
    dict(type='QualityFocalLoss', use_sigmoid=True, beta=2.0, reduction='sum'),
])
def test_yolox_head_trains_with_custom_loss(loss_cls):
    torch.manual_seed(0)
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmext'):
        head = _yolox_head(loss_cls)
    feats = [torch.randn(2, 16, 8, 8), torch.randn(2, 16, 4, 4)]
    gts = [InstanceData(bboxes=torch.tensor([[8., 8., 40., 40.]]), labels=torch.tensor([1])),
           InstanceData(bboxes=torch.tensor([[20., 4., 60., 30.]]), labels=torch.tensor([2]))]
    metas = [dict(img_shape=(64, 64), batch_input_shape=(64, 64))] * 2
    opt = torch.optim.Adam(head.parameters(), lr=1e-3)
    cls_losses, totals = [], []
    for _ in range(15):
        out = head.loss_by_feat(*head(feats), gts, metas)
        total = sum(out.values())
        opt.zero_grad()
        total.backward()
        opt.step()
        cls_losses.append(out['loss_cls'].item())
        totals.append(total.item())
    # the custom loss is what YOLOXHead optimises: finite, positive, and training converges
    assert all(math.isfinite(v) and v > 0 for v in cls_losses)
    assert totals[-1] < 0.8 * totals[0]
    assert isinstance(head.loss_cls, (PerClassFocalLoss, QualityFocalLoss))
