"""CameraHeightHook's FUMET mode (heights collected while training, epoch-weighted running
mean) against FUMET's update restated, and the log's stabilisers (max_jump, hold, last
epoch, initial height) on a fake runner."""
import logging
import math
from types import SimpleNamespace

import pytest
import torch

from mmext.selfsup.hooks import CameraHeightHook
from tests._helpers import fumet_reference as ref


class CollectingModel(torch.nn.Module):
    """Stands in for SelfSupDepthEstimator: 'training' adds the epoch's heights."""

    def __init__(self):
        super().__init__()
        self.register_buffer('camera_height_target', torch.tensor(float('nan')))
        self.object_height_loss = object()
        self._log = None

    def camera_height_evidence(self, *a):  # presence checked by the hook
        raise AssertionError('source=train must not re-predict')

    def start_height_collection(self):
        self._log = []

    def pop_collected_heights(self):
        out, self._log = list(self._log or []), None
        return out


class Visualizer:
    def add_scalars(self, *a, **k):
        pass


def run_epochs(hook, estimates, tmp_path):
    """Run the hook over epochs whose collected heights have the given medians."""
    model = CollectingModel()
    runner = SimpleNamespace(model=model, logger=logging.getLogger('test'),
                             visualizer=Visualizer(), work_dir=str(tmp_path), epoch=0)
    hook.before_train(runner)
    targets = []
    for epoch, est in enumerate(estimates):
        runner.epoch = epoch
        hook.before_train_epoch(runner)
        model._log += [est * 0.9, est, est * 1.1, float('nan')]     # median = est
        hook.after_train_epoch(runner)
        targets.append(float(model.camera_height_target))
    return targets


ESTIMATES = [3.0, 2.4, 2.0, 1.8, 1.7, 1.66, 1.64, 1.65]


def test_epoch_weighted_mean_equals_fumet(tmp_path):
    hook = CameraHeightHook(source='train', update='epoch_weighted', first_epoch=2)
    got = run_epochs(hook, ESTIMATES, tmp_path)
    expect = ref.cam_height_targets(ESTIMATES, first_update_epoch=1)
    assert math.isnan(got[0]) and math.isnan(expect[0])
    assert got[1:] == pytest.approx(expect[1:], rel=1e-6)
    # the first target is the first estimate (epoch 1, 0-based), then weights 2, 3, ...
    assert got[1] == pytest.approx(2.4)
    assert got[2] == pytest.approx((2.4 * 1 + 2.0 * 2) / 3)
    # FUMET's first_update_epoch 0 = first_epoch 1 here
    got0 = run_epochs(CameraHeightHook(source='train', update='epoch_weighted',
                                       first_epoch=1), ESTIMATES, tmp_path)
    assert got0 == pytest.approx(ref.cam_height_targets(ESTIMATES, 0), rel=1e-6)


def test_late_first_update_warns_like_fumets_closed_form(tmp_path):
    with pytest.warns(UserWarning, match='0.50 x the first estimate'):
        hook = CameraHeightHook(source='train', update='epoch_weighted', first_epoch=4)
    got = run_epochs(hook, ESTIMATES, tmp_path)
    expect = ref.cam_height_targets(ESTIMATES, first_update_epoch=3)
    assert got[3:] == pytest.approx(expect[3:], rel=1e-6)


def test_max_jump_skips_the_update(tmp_path):
    est = [5.0, 2.0, 4.5, 1.9]
    got = run_epochs(CameraHeightHook(source='train', update='momentum', momentum=0.5,
                                      max_jump=2.0), est, tmp_path)
    # 5.0, then 2.0 is 2.5x lower: skipped; 4.5 folds in; 1.9 < 4.75 / 2: skipped
    assert got == pytest.approx([5.0, 5.0, 4.75, 4.75])
    plain = run_epochs(CameraHeightHook(source='train', update='momentum', momentum=0.5),
                       est, tmp_path)
    assert plain[1] == pytest.approx(3.5)


def test_hold_and_last_epoch(tmp_path):
    est = [3.0, 2.0, 1.0, 4.0, 5.0, 6.0]
    got = run_epochs(CameraHeightHook(source='train', update='momentum', momentum=0.0,
                                      hold_epochs=2, last_epoch=5), est, tmp_path)
    # first target after epoch 1, held through epochs 2-3, updated 4-5, frozen after 5
    assert got == pytest.approx([3.0, 3.0, 3.0, 4.0, 5.0, 5.0])


def test_initial_height(tmp_path):
    fixed = run_epochs(CameraHeightHook(source='train', first_epoch=None,
                                        initial_height=1.65), [3.0, 2.0], tmp_path)
    assert fixed == pytest.approx([1.65, 1.65])
    with pytest.raises(ValueError, match='initial_height'):
        CameraHeightHook(source='train', first_epoch=None)
    with pytest.raises(ValueError, match='interval=1'):
        CameraHeightHook(source='train', update='epoch_weighted', interval=2)
    with pytest.raises(ValueError, match='dataloader'):
        CameraHeightHook(source='pass')
