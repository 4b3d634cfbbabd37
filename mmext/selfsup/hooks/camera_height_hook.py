"""CameraHeightHook: FUMET's dataset-wide camera-height pseudo-label, updated during training."""
import json
import math
import warnings
import os.path as osp
from typing import Dict, List, Optional, Union

import numpy as np
from mmengine.dist import all_gather_object, is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner
from torch.utils.data import DataLoader

from mmext.registry import HOOKS

CKPT_KEY = 'camera_height_hook'


_SOURCES = ('train', 'pass')
_UPDATES = ('epoch_weighted', 'momentum')


@HOOKS.register_module()
class CameraHeightHook(Hook):
    """FUMET's dataset-wide camera-height pseudo-label, updated between epochs.

    Evidence (``source``):

    - ``'train'`` (FUMET's code): during every training epoch the model collects, per
      training frame with road and used objects, the metric camera height
      :func:`~mmext.selfsup.scale_evidence.fumet_frame_camera_heights` (median road-pixel
      height of the predicted depth times the median over the frame's objects of ``H /``
      their predicted height above the road); see
      :meth:`SelfSupDepthEstimator.start_height_collection`.
    - ``'pass'`` (mmext's earlier form): after the epoch the model predicts every frame of
      ``dataloader`` (eval mode, no augmentation) and returns
      :meth:`SelfSupDepthEstimator.camera_height_evidence` (road height times the median
      object scale factor of representative depths).

    The epoch's estimate is the median of the frames' heights of all ranks. ``update``:

    - ``'epoch_weighted'`` (FUMET): after 0-based epoch ``e`` the target becomes
      ``(prev * (e - 1) e / 2 + e * estimate) / (e (e + 1) / 2)`` (``e + 1`` for ``e`` when
      the first update is after epoch 0), a running mean weighting epoch ``e`` by ``e``,
      with ``prev = 0`` at the first update (or ``initial_height``). With FUMET's default
      (first update after its epoch 1, i.e. ``first_epoch=2`` here) the first target is
      the first estimate; a later first update starts below it (FUMET's closed form; a
      warning says so).
    - ``'momentum'``: ``momentum * prev + (1 - momentum) * estimate`` (first: the estimate).

    The target is written into the model's ``camera_height_target`` buffer, used by
    :class:`CameraHeightLoss` and the object filter from the next epoch on.

    Stabilisers of log 002 (all off by default; each a key):

    - ``max_jump`` (log 002, L1416/L1441/L1587): skip an update whose estimate is more than
      ``max_jump`` times (or less than ``1/max_jump`` of) the current target -- while the
      camera-height term first bends the geometry the estimates shot up and training
      became unstable; the log used 2.
    - ``hold_epochs`` (L1595/L1642): after the first target, keep it for this many epochs
      -- VADepth spends 2+ epochs on the rough geometry, and holding the pseudo-label for 2
      epochs after the first one made training more stable.
    - ``last_epoch``: no update after this (1-based) epoch: the target is frozen (the log
      found training better with a constant camera height, L1743).
    - ``initial_height`` (L1410/L1489, FUMET ``--initial_cam_height``): the target before
      any estimate, e.g. the known height for the VADepth-style sanity run (with
      ``first_epoch=None``: never updated, the known height trains the scale throughout).

    The history is saved in checkpoints (``checkpoint[CKPT_KEY]``) and restored on resume,
    written to ``<work_dir>/camera_height.json`` and drawn as a curve
    (``camera_height.png``) after training; each estimate is logged and sent to the
    visualizer backends as ``camera_height/*`` scalars.

    Args:
        dataloader: ``source='pass'``: dataloader (config) over the training frames with
            road/instance masks and no augmentation (``sampler=dict(type='DefaultSampler',
            shuffle=False, round_up=False)`` so no frame is counted twice under DDP).
        source: ``'train'`` (FUMET) or ``'pass'``.
        update: ``'epoch_weighted'`` (FUMET) or ``'momentum'``.
        interval: Update every ``interval`` epochs (``epoch_weighted``: must be 1).
        momentum: ``update='momentum'``: weight of the previous target.
        first_epoch: First (1-based) epoch after which an estimate is made (FUMET's
            ``--first_update_epoch 1`` is 0-based: ``first_epoch=2``); ``None``: never (only
            with ``initial_height``).
        estimate_before_train: ``source='pass'``: also estimate once before training.
        min_frames: Fewer usable frames than this keep the previous target (with a warning).
        reference_height: Known height drawn on the curve for comparison (never used for
            training; e.g. 1.65 for KITTI).
        max_jump: See above (``None``: off; the log: 2.0).
        hold_epochs: See above (0: off; the log: 2).
        last_epoch: See above (``None``: off).
        initial_height: See above (``None``: off).
    """
    priority = 'LOW'

    def __init__(self, dataloader: Union[Dict, DataLoader, None] = None,
                 source: str = 'pass', update: str = 'momentum', interval: int = 1,
                 momentum: float = 0.5, first_epoch: Optional[int] = 1,
                 estimate_before_train: bool = False, min_frames: int = 1,
                 reference_height: Optional[float] = None, max_jump: Optional[float] = None,
                 hold_epochs: int = 0, last_epoch: Optional[int] = None,
                 initial_height: Optional[float] = None) -> None:
        if source not in _SOURCES:
            raise ValueError(f'source must be one of {_SOURCES}, got {source!r}')
        if update not in _UPDATES:
            raise ValueError(f'update must be one of {_UPDATES}, got {update!r}')
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        if update == 'epoch_weighted' and interval != 1:
            raise ValueError("update='epoch_weighted' (FUMET) updates every epoch: interval=1")
        if not 0 <= momentum < 1:
            raise ValueError(f'momentum must be in [0, 1), got {momentum}')
        if source == 'pass' and dataloader is None:
            raise ValueError("CameraHeightHook(source='pass') needs a dataloader")
        if first_epoch is None and initial_height is None:
            raise ValueError('first_epoch=None (never estimate) needs an initial_height')
        if max_jump is not None and max_jump <= 1:
            raise ValueError(f'max_jump must be > 1, got {max_jump}')
        if (update == 'epoch_weighted' and first_epoch is not None and first_epoch > 2
                and initial_height is None):
            warnings.warn(f'CameraHeightHook: FUMET\'s epoch-weighted mean starting after '
                          f'epoch {first_epoch} gives a first target of '
                          f'{2 / first_epoch:.2f} x the first estimate (its closed form '
                          'counts the earlier epochs with height 0)', UserWarning)
        self._loader_cfg = dataloader
        self._loader: Optional[DataLoader] = None
        self.source, self.update_rule = source, update
        self.interval, self.momentum, self.first_epoch = interval, momentum, first_epoch
        self.estimate_before_train, self.min_frames = estimate_before_train, min_frames
        self.reference_height = reference_height
        self.max_jump, self.hold_epochs, self.last_epoch = max_jump, hold_epochs, last_epoch
        self.initial_height = initial_height
        self.history: List[Dict] = []

    # ----------------------------------------------------------------- helpers
    @staticmethod
    def _model(runner):
        return runner.model.module if is_model_wrapper(runner.model) else runner.model

    def _dataloader(self, runner) -> DataLoader:
        if self._loader is None:
            cfg = self._loader_cfg
            self._loader = cfg if isinstance(cfg, DataLoader) else Runner.build_dataloader(
                cfg, seed=runner.seed)
        return self._loader

    def collect(self, runner) -> List[Dict]:
        """Per-frame evidence of this rank's share of the frames, gathered from all ranks."""
        model = self._model(runner)
        if self.source == 'train':
            heights = model.pop_collected_heights()
            return [dict(camera_height=h, road_height=math.nan, scale=math.nan)
                    for part in all_gather_object(heights) for h in part]
        was_training = model.training
        model.eval()
        records = []
        try:
            for data in self._dataloader(runner):
                data = model.data_preprocessor(data, False)
                records += model.camera_height_evidence(data['inputs'], data['data_samples'])
        finally:
            model.train(was_training)
        return [r for part in all_gather_object(records) for r in part]

    def update(self, runner, epoch: int) -> Optional[float]:
        """Estimate, fold into the moving average, set the model's target; return it."""
        model = self._model(runner)
        records = self.collect(runner)
        heights = np.array([r['camera_height'] for r in records], dtype=np.float64)
        finite = heights[np.isfinite(heights)]
        prev = float(model.camera_height_target)
        entry = dict(epoch=epoch, frames=len(records), frames_used=int(finite.size))
        if finite.size < self.min_frames:
            runner.logger.warning(
                f'CameraHeightHook: only {finite.size} of {len(records)} frames had road and '
                f'kept objects (need {self.min_frames}); camera-height target unchanged')
            entry.update(estimate=math.nan, target=prev)
        elif self._jumped(prev, float(np.median(finite))):
            est = float(np.median(finite))
            runner.logger.warning(
                f'CameraHeightHook epoch {epoch}: estimate {est:.4f} m is more than '
                f'{self.max_jump}x away from the target {prev:.4f} m; target unchanged '
                '(max_jump)')
            entry.update(estimate=est, target=prev, skipped='max_jump')
        else:
            est = float(np.median(finite))
            target = self._fold(prev, est, epoch)
            model.camera_height_target.fill_(target)
            road = np.array([r['road_height'] for r in records], dtype=np.float64)
            scale = np.array([r['scale'] for r in records], dtype=np.float64)
            entry.update(estimate=est, target=target,
                         spread=float(np.median(np.abs(finite - est))),
                         road_height=float(np.nanmedian(road)) if np.isfinite(road).any()
                         else math.nan,
                         scale=float(np.nanmedian(scale)) if np.isfinite(scale).any()
                         else math.nan)
            runner.logger.info(
                f'CameraHeightHook epoch {epoch}: estimate {est:.4f} m from '
                f'{finite.size}/{len(records)} frames (MAD {entry["spread"]:.4f}), '
                f'target {target:.4f} m')
        self.history.append(entry)
        runner.visualizer.add_scalars(
            {f'camera_height/{k}': v for k, v in entry.items()
             if k in ('estimate', 'target', 'frames_used') and math.isfinite(v)}, step=epoch)
        self._write(runner)
        return entry['target']

    def _jumped(self, prev: float, est: float) -> bool:
        """Whether ``est`` jumps more than ``max_jump`` times away from ``prev``."""
        if self.max_jump is None or not math.isfinite(prev) or prev <= 0:
            return False
        return est <= 0 or not (prev / self.max_jump <= est <= prev * self.max_jump)

    def _fold(self, prev: float, est: float, epoch: int) -> float:
        """New target from the previous one and the epoch's estimate (1-based ``epoch``)."""
        if self.update_rule == 'momentum':
            if not math.isfinite(prev):
                return est
            return self.momentum * prev + (1 - self.momentum) * est
        # FUMET: 0-based epoch e (e + 1 when the first update follows epoch 0)
        e = epoch - 1 if (self.first_epoch or 1) > 1 else epoch
        if not math.isfinite(prev):
            prev = 0.0
        return (prev * (e - 1) * e / 2 + e * est) / (e * (e + 1) / 2)

    def _due(self, epoch: int) -> bool:
        """Whether an update follows the (1-based) ``epoch``."""
        if self.first_epoch is None or epoch < self.first_epoch:
            return False
        if (epoch - self.first_epoch) % self.interval:
            return False
        if self.last_epoch is not None and epoch > self.last_epoch:
            return False
        if self.hold_epochs and self.first_epoch < epoch <= self.first_epoch + self.hold_epochs:
            return False
        return True

    def _write(self, runner) -> None:
        if not is_main_process():
            return
        with open(osp.join(runner.work_dir, 'camera_height.json'), 'w') as f:
            json.dump(dict(history=self.history, reference_height=self.reference_height), f,
                      indent=1)

    # ----------------------------------------------------------------- hook points
    def before_train(self, runner) -> None:
        model = self._model(runner)
        if not hasattr(model, 'camera_height_evidence'):
            raise TypeError('CameraHeightHook needs a model with camera_height_evidence() '
                            f'(SelfSupDepthEstimator), got {type(model).__name__}')
        if self.source == 'train' and model.object_height_loss is None:
            raise ValueError("CameraHeightHook(source='train') needs the model's "
                             'object_height_loss (the objects give the metric scale)')
        if (self.initial_height is not None and not self.history
                and not math.isfinite(float(model.camera_height_target))):
            model.camera_height_target.fill_(float(self.initial_height))
        if (self.source == 'pass' and self.estimate_before_train
                and not math.isfinite(float(model.camera_height_target))):
            self.update(runner, epoch=runner.epoch)

    def before_train_epoch(self, runner) -> None:
        if self.source == 'train':
            self._model(runner).start_height_collection()

    def after_train_epoch(self, runner) -> None:
        epoch = runner.epoch + 1            # 1-based number of the epoch just finished
        if not self._due(epoch):
            if self.source == 'train':
                self._model(runner).pop_collected_heights()
            return
        self.update(runner, epoch)

    def after_train(self, runner) -> None:
        if not self.history or not is_main_process():
            return
        from mmext.selfsup.visualization import plot_camera_height_curve
        plot_camera_height_curve(self.history, osp.join(runner.work_dir, 'camera_height.png'),
                                 self.reference_height)

    def before_save_checkpoint(self, runner, checkpoint: Dict) -> None:
        checkpoint[CKPT_KEY] = dict(history=self.history)

    def after_load_checkpoint(self, runner, checkpoint: Dict) -> None:
        state = checkpoint.get(CKPT_KEY)
        if state is not None:
            self.history = list(state['history'])
