"""CameraHeightHook: FUMET's dataset-wide camera-height pseudo-label, updated during training."""
import json
import math
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


@HOOKS.register_module()
class CameraHeightHook(Hook):
    """Estimate the camera height from predicted depth and object-height evidence.

    Every ``interval`` epochs (after the epoch) the model predicts depth for every frame of
    ``dataloader`` (eval mode, no augmentation) and returns, per frame, the road-plane
    camera height (normals from cross products of neighbouring back-projected points,
    ``median(-n.X)`` over road pixels) times the frame's metric scale (median over the kept
    objects of prior-implied depth / predicted depth) -- see
    :meth:`SelfSupDepthEstimator.camera_height_evidence`. The per-frame heights of all ranks
    are gathered and their median (robust to outlier frames) is the epoch's estimate; the
    target is the moving average ``momentum * previous + (1 - momentum) * estimate`` (the
    first estimate is taken as is). The target is written into the model's
    ``camera_height_target`` buffer, which :class:`CameraHeightLoss` uses in the next epochs.

    Every rank computes the same median from the same gathered list, so all ranks share one
    target. The history is saved in checkpoints (``checkpoint[CKPT_KEY]``) and restored on
    resume, written to ``<work_dir>/camera_height.json`` and drawn as a curve
    (``camera_height.png``) after training; each estimate is logged and sent to the
    visualizer backends as ``camera_height/*`` scalars.

    Args:
        dataloader: Dataloader (config) over the training frames with road/instance masks
            and no augmentation. Use ``sampler=dict(type='DefaultSampler', shuffle=False,
            round_up=False)`` so no frame is counted twice under DDP.
        interval: Update every ``interval`` epochs (the seed: 1, earlier 2).
        momentum: Weight of the previous target in the moving average.
        first_epoch: First (1-based) epoch after which an estimate is made; before it the
            camera-height loss is off (FUMET trains epoch 1 without it).
        estimate_before_train: Also estimate once before training (when fine-tuning a model
            that already predicts sensible depth).
        min_frames: Fewer usable frames than this keep the previous target (with a warning).
        reference_height: Known height drawn on the curve for comparison (never used for
            training; e.g. 1.65 for KITTI).
    """
    priority = 'LOW'

    def __init__(self, dataloader: Union[Dict, DataLoader], interval: int = 1,
                 momentum: float = 0.5, first_epoch: int = 1,
                 estimate_before_train: bool = False, min_frames: int = 1,
                 reference_height: Optional[float] = None) -> None:
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        if not 0 <= momentum < 1:
            raise ValueError(f'momentum must be in [0, 1), got {momentum}')
        self._loader_cfg = dataloader
        self._loader: Optional[DataLoader] = None
        self.interval, self.momentum, self.first_epoch = interval, momentum, first_epoch
        self.estimate_before_train, self.min_frames = estimate_before_train, min_frames
        self.reference_height = reference_height
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
        else:
            est = float(np.median(finite))
            target = est if not math.isfinite(prev) else \
                self.momentum * prev + (1 - self.momentum) * est
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
        if self.estimate_before_train and not math.isfinite(float(model.camera_height_target)):
            self.update(runner, epoch=runner.epoch)

    def after_train_epoch(self, runner) -> None:
        epoch = runner.epoch + 1            # 1-based number of the epoch just finished
        if epoch < self.first_epoch or (epoch - self.first_epoch) % self.interval:
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
