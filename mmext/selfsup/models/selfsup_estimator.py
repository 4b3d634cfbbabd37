"""SelfSupDepthEstimator: monodepth2-style training with FUMET's metric-scale terms."""
import math
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.model import BaseModel
from mmengine.structures import BaseDataElement
from torch import Tensor, nn

from mmext.geometry import (fumet_road_heights, pose_from_axisangle, road_heights,
                            warp_to_target)
from mmext.registry import MODELS
from mmext.utils.batching import stack_field
from ..scale_evidence import (frame_scale_evidence, fumet_frame_camera_heights,
                              sample_instance_heights)
from .depth_decoder import DepthOutput
from .loss_schedule import build_schedules

Samples = List[BaseDataElement]


@MODELS.register_module()
class SelfSupDepthEstimator(BaseModel):
    """Self-supervised monocular depth (monodepth2) that can learn metric scale (FUMET).

    Training on ``(target, sources)`` frame stacks: the depth net sees the (colour-jittered)
    target, the pose net each ordered pair ``(earlier, later)``; every source is warped into
    the target with the predicted depth and pose, and the photometric loss takes the
    per-pixel minimum over sources with auto-masking, at every decoder scale (upsampled to
    the input size), plus edge-aware smoothness (weighted ``1/2**scale``). Optional metric
    terms: FUMET's rough ``ObjectHeightLoss`` on the instances the abnormal-object filter
    keeps, and the fine ``CameraHeightLoss`` against the ``camera_height_target`` buffer
    that :class:`CameraHeightHook` maintains, on the depth of every decoder scale upsampled
    to the input size and averaged over the scales (FUMET adds them to each scale's loss
    and divides the sum by the number of scales), or on scale 0 only
    (``metric_scales='finest'``). Their weights are multiplied by ``loss_schedule`` (per
    epoch; ``SetEpochInfoHook`` passes the epoch).

    The road geometry behind the filter's horizon, the road normal and the collected
    camera heights is FUMET's (``road_geometry='fumet'``: 8-neighbour normals,
    :func:`~mmext.geometry.fumet_road_heights`; images whose road covers at most 1% of the
    image drop their instances) or mmext's earlier right x down one (``'right_down'``,
    :func:`~mmext.geometry.road_heights`). While :meth:`start_height_collection` is on
    (``CameraHeightHook(source='train')``), every training batch adds FUMET's per-frame
    metric camera heights (:func:`~mmext.selfsup.scale_evidence.fumet_frame_camera_heights`
    on the scale-0 points) to a list the hook takes at the end of the epoch.

    ``forward`` modes: ``'tensor'`` -> target depth ``(B, 1, H, W)``; ``'loss'`` -> loss dict
    (plus logged counts); ``'predict'`` -> samples with ``pred_depth`` (at the size of
    ``gt_depth`` when present, via the disparity as monodepth2) and ``pred_disp``.

    Args:
        depth_encoder: ``ResNetPyramidEncoder`` config (3 input channels).
        depth_decoder: ``MonoDepthDecoder`` config without ``num_ch_enc`` (taken from the
            encoder).
        pose_net: ``PoseNet`` config (encoder with 6 input channels).
        depth_output: :class:`DepthOutput` arguments (bounded disparity or softplus).
        photometric_loss: ``PhotometricReprojectionLoss`` config.
        smoothness_loss: ``EdgeAwareSmoothnessLoss`` config.
        object_height_loss: ``ObjectHeightLoss`` config (``None``: no rough term). Its
            ``classes`` / ``height_priors`` also drive the filter and the hook.
        camera_height_loss: ``CameraHeightLoss`` config (``None``: no fine term).
        object_filter: Keyword arguments of :func:`mmext.selfsup.objects.filter_instances`
            (``min_area``, ``border_margin``, ``max_rel_error``), plus ``horizon`` and
            ``remove_outliers`` (see :func:`mmext.selfsup.scale_evidence.frame_scale_evidence`).
        loss_schedule: ``{'object': {...}, 'camera': {...}}`` :class:`WeightSchedule` configs
            (missing: constant 1).
        metric_scales: ``'all'`` (FUMET) or ``'finest'`` (scale 0 only).
        road_geometry: ``'fumet'`` or ``'right_down'`` (see above).
        road_min_fraction: ``road_geometry='fumet'``: smallest road share of an image.
        frame_ids: Frame offsets of the input stacks, target ``0`` first.
        data_preprocessor: ``SelfSupDataPreprocessor`` by default.
        init_cfg: mmengine init config.
    """

    def __init__(self, depth_encoder: Dict, depth_decoder: Dict, pose_net: Dict,
                 depth_output: Optional[Dict] = None,
                 photometric_loss: Optional[Dict] = None,
                 smoothness_loss: Optional[Dict] = None,
                 object_height_loss: Optional[Dict] = None,
                 camera_height_loss: Optional[Dict] = None,
                 object_filter: Optional[Dict] = None,
                 loss_schedule: Optional[Dict] = None,
                 metric_scales: str = 'all', road_geometry: str = 'fumet',
                 road_min_fraction: float = 0.01,
                 frame_ids: Sequence[int] = (0, -1, 1),
                 data_preprocessor: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='SelfSupDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if not frame_ids or frame_ids[0] != 0 or len(set(frame_ids)) != len(frame_ids):
            raise ValueError(f'frame_ids must start with the target 0 and be distinct, '
                             f'got {frame_ids}')
        self.frame_ids = tuple(frame_ids)
        self.encoder = MODELS.build(depth_encoder)
        self.decoder = MODELS.build(dict(depth_decoder, num_ch_enc=self.encoder.num_ch_enc))
        self.pose_net = MODELS.build(pose_net) if len(frame_ids) > 1 else None
        self.depth_output = DepthOutput(**(depth_output or {}))
        self.photometric_loss = MODELS.build(
            photometric_loss or dict(type='PhotometricReprojectionLoss'))
        self.smoothness_loss = MODELS.build(
            smoothness_loss or dict(type='EdgeAwareSmoothnessLoss', loss_weight=1e-3))
        self.object_height_loss = (MODELS.build(object_height_loss)
                                   if object_height_loss else None)
        self.camera_height_loss = (MODELS.build(camera_height_loss)
                                   if camera_height_loss else None)
        self.object_filter = dict(object_filter or {})
        self.schedules = build_schedules(loss_schedule)
        unknown = set(self.schedules) - {'object', 'camera'}
        if unknown:
            raise ValueError(f"loss_schedule keys must be 'object'/'camera', got {unknown}")
        if metric_scales not in ('all', 'finest'):
            raise ValueError(f"metric_scales must be 'all' or 'finest', got {metric_scales!r}")
        if road_geometry not in ('fumet', 'right_down'):
            raise ValueError(f"road_geometry must be 'fumet' or 'right_down', got "
                             f'{road_geometry!r}')
        self.metric_scales, self.road_geometry = metric_scales, road_geometry
        self.road_min_fraction = road_min_fraction
        self.register_buffer('camera_height_target', torch.tensor(float('nan')))
        self.epoch = 0
        self._height_log: Optional[List[float]] = None

    # ----------------------------------------------------------------- state
    def set_epoch(self, epoch: int) -> None:
        """Current 0-based epoch (called by mmdet's ``SetEpochInfoHook``)."""
        self.epoch = int(epoch)

    def weight(self, term: str) -> float:
        """Schedule multiplier of ``'object'`` or ``'camera'`` at the current epoch."""
        s = self.schedules.get(term)
        return 1.0 if s is None else s(self.epoch)

    def start_height_collection(self) -> None:
        """Start collecting FUMET's per-frame camera heights from the training batches."""
        self._height_log = []

    def pop_collected_heights(self) -> List[float]:
        """The heights collected since :meth:`start_height_collection` (and stop)."""
        out, self._height_log = list(self._height_log or []), None
        return out

    def road_info(self, depth: Tensor, K: Tensor, road: Tensor) -> Dict[str, Tensor]:
        """Detached road geometry of ``depth`` under ``road_geometry``: ``height``,
        ``normal`` (up), ``valid`` (images that count) and, for ``'fumet'``, ``points``."""
        with torch.no_grad():
            if self.road_geometry == 'fumet':
                info = fumet_road_heights(depth.detach(), K, road, self.road_min_fraction)
                return dict(height=info['height'], normal=info['normal'],
                            valid=info['valid'], points=info['points'])
            info = road_heights(depth.detach(), K, road.bool())
            return dict(height=info['height'], normal=info['normal'],
                        valid=torch.isfinite(info['height']))

    @property
    def has_target(self) -> bool:
        """Whether the camera-height target has been estimated."""
        return bool(torch.isfinite(self.camera_height_target))

    @property
    def priors(self):
        """``(classes, height_priors)`` of the object loss (``None`` without it)."""
        if self.object_height_loss is None:
            return None
        return self.object_height_loss.classes, self.object_height_loss.height_priors

    # ----------------------------------------------------------------- networks
    def depth_pyramid(self, image: Tensor) -> Dict[int, Tensor]:
        """``(B, 3, H, W)`` image in [0, 1] -> ``{scale: raw decoder output}``."""
        return self.decoder(self.encoder(image))

    def predict_depth(self, image: Tensor) -> Tensor:
        """``(B, 3, H, W)`` image in [0, 1] -> ``(B, 1, H, W)`` depth (m)."""
        return self.depth_output(self.depth_pyramid(image)[0], image.shape[-2:])

    def poses(self, frames: Tensor) -> Dict[int, Tensor]:
        """Target-to-source transforms ``{frame_id: (B, 4, 4)}`` for every source frame.

        The pose net sees each pair in time order; its output maps the earlier frame into
        the later one and is inverted for sources before the target (monodepth2).
        """
        out = {}
        for j, fid in enumerate(self.frame_ids[1:], start=1):
            if fid < 0:
                pair = torch.cat([frames[:, j], frames[:, 0]], 1)
            else:
                pair = torch.cat([frames[:, 0], frames[:, j]], 1)
            axisangle, translation = self.pose_net(pair)
            out[fid] = pose_from_axisangle(axisangle, translation, invert=fid < 0)
        return out

    def forward(self, inputs: Dict[str, Tensor], data_samples: Optional[Samples] = None,
                mode: str = 'tensor'):
        if mode == 'tensor':
            return self.predict_depth(inputs['frames'][:, 0])
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise ValueError(f"mode must be 'tensor', 'loss' or 'predict', got {mode!r}")

    # ----------------------------------------------------------------- training
    def loss(self, inputs: Dict[str, Tensor], data_samples: Samples) -> Dict[str, Tensor]:
        """Photometric + smoothness over scales, then the metric terms on scale 0."""
        frames, aug = inputs['frames'], inputs['frames_aug']
        if frames.shape[1] != len(self.frame_ids):
            raise ValueError(f'got {frames.shape[1]} frames per sample, model frame_ids are '
                             f'{self.frame_ids}')
        if len(self.frame_ids) < 2:
            raise ValueError('training needs at least one source frame in frame_ids')
        K = stack_field(data_samples, 'K', frames.device).float()
        size = frames.shape[-2:]
        raw = self.depth_pyramid(aug[:, 0])
        poses = self.poses(aug)
        sources = [frames[:, j] for j in range(1, len(self.frame_ids))]
        identity = (self.photometric_loss.identity_errors(frames[:, 0], sources, len(sources))
                    if getattr(self.photometric_loss, 'automask', False) else None)
        road_kw = {}
        if getattr(self.photometric_loss, 'road_exempt', False):
            road_kw['road_mask'] = stack_field(data_samples, 'road_mask', frames.device)
        photo, smooth, depths = 0., 0., {}
        for s, r in sorted(raw.items()):
            depth = self.depth_output(r, size)
            depths[s] = depth
            warped = [warp_to_target(frames[:, j], depth, poses[fid], K)[0]
                      for j, fid in enumerate(self.frame_ids[1:], start=1)]
            photo = photo + self.photometric_loss(frames[:, 0], warped, sources,
                                                  identity=identity, **road_kw)
            disp = 1.0 / self.depth_output(r)
            img = nn.functional.interpolate(frames[:, 0], disp.shape[-2:], mode='bilinear',
                                            align_corners=False)
            smooth = smooth + self.smoothness_loss(disp, img) / 2 ** s
        n = len(raw)
        losses = {'loss_photo': photo / n, 'loss_smooth': smooth / n}
        if 0 not in depths:
            raise ValueError('the depth decoder must output scale 0')
        losses.update(self.metric_losses(depths, K, data_samples))
        return losses

    def metric_losses(self, depths: Dict[int, Tensor], K: Tensor,
                      data_samples: Samples) -> Dict[str, Tensor]:
        """FUMET's rough (object-height) and fine (camera-height) terms plus logged counts.

        ``depths``: ``{scale: (B, 1, H, W)}`` input-size depths (a single tensor = scale 0).
        """
        if isinstance(depths, Tensor):
            depths = {0: depths}
        depth = depths[0]
        out: Dict[str, Tensor] = {}
        if self.object_height_loss is None and self.camera_height_loss is None:
            return out
        road = stack_field(data_samples, 'road_mask', depth.device)
        if road is None:
            raise ValueError("the metric losses need 'road_mask'/'instance_map' in the data "
                             'samples: add LoadRoadInstanceMasks (mask_root) to the pipeline')
        road_info = self.road_info(depth, K, road)
        target = self.camera_height_target
        scales = sorted(depths) if self.metric_scales == 'all' else [0]
        if self.object_height_loss is not None:
            ev = frame_scale_evidence(
                depth, K, data_samples, road_info['normal'], self.object_height_loss,
                self.object_filter, target if self.has_target else None,
                image_ok=road_info['valid'] if self.road_geometry == 'fumet' else None)
            w = self.weight('object')
            loss = sum(self.object_height_loss(depths[s], K, ev['instance_map'], ev['labels'],
                                               keep=ev['keep'],
                                               road_normal=road_info['normal'],
                                               instance_heights=ev['heights'])
                       for s in scales) / len(scales)
            out['loss_object'] = loss * w
            for k, n in ev['counts'].items():   # total, kept and each rejection reason
                out[f'obj_{k}'] = depth.new_tensor(float(n))
            if self._height_log is not None and self.training and 'points' in road_info:
                targets = self.object_height_loss.instance_targets(ev['labels'], ev['heights'],
                                                                   ev['keep'])
                cam = fumet_frame_camera_heights(road_info['points'], road_info['height'],
                                                 road_info['normal'], ev['instance_map'],
                                                 targets)
                self._height_log += [float(x) for x in cam[torch.isfinite(cam)]]
        if self.camera_height_loss is not None:
            if self.has_target:
                loss = sum(self.camera_height_loss(depths[s], K, road.bool(), target)
                           for s in scales) / len(scales)
                out['loss_camera'] = self.weight('camera') * loss
            else:  # no target yet (first epoch): keep the graph, add nothing
                out['loss_camera'] = depth.sum() * 0.
        h = road_info['height']
        h = h[torch.isfinite(h)]
        if h.numel():
            out['road_height'] = h.median()
        return out

    # ----------------------------------------------------------------- inference
    def predict(self, inputs: Dict[str, Tensor],
                data_samples: Optional[Samples] = None) -> Samples:
        """Samples with ``pred_depth`` (``gt_depth``'s size if present) and ``pred_disp``."""
        image = inputs['frames'][:, 0]
        raw = self.depth_pyramid(image)[0]
        if data_samples is None:
            data_samples = [BaseDataElement() for _ in range(image.shape[0])]
        depth = self.depth_output(raw, image.shape[-2:])
        for i, s in enumerate(data_samples):
            size = tuple(s.gt_depth.shape[-2:]) if 'gt_depth' in s else image.shape[-2:]
            s.pred_depth = self.depth_output(raw[i:i + 1], size)[0, 0].detach()
            s.pred_disp = (1.0 / depth[i, 0]).detach()
        return data_samples

    @torch.no_grad()
    def camera_height_evidence(self, inputs: Dict[str, Tensor],
                               data_samples: Samples) -> List[Dict[str, float]]:
        """Per-frame camera-height evidence for :class:`CameraHeightHook`.

        For each target frame: the road-plane camera height of the predicted depth
        (``road_height``, model units), the median object scale factor of the kept
        instances (``scale``: prior-implied depth / predicted depth) and their product, the
        frame's metric camera height (``camera_height``; NaN without road or objects, or
        when the fitted road lies above the camera).
        """
        if self.object_height_loss is None:
            raise ValueError('camera-height evidence needs object_height_loss (the height '
                             'priors) in the model config')
        image = inputs['frames'][:, 0]
        K = stack_field(data_samples, 'K', image.device).float()
        road = stack_field(data_samples, 'road_mask', image.device)
        if road is None:
            raise ValueError("CameraHeightHook's dataloader must load road/instance masks")
        depth = self.predict_depth(image)
        road_info = self.road_info(depth, K, road)
        ev = frame_scale_evidence(
            depth, K, data_samples, road_info['normal'], self.object_height_loss,
            self.object_filter, self.camera_height_target if self.has_target else None,
            image_ok=road_info['valid'] if self.road_geometry == 'fumet' else None)
        out = []
        for b in range(image.shape[0]):
            h = float(road_info['height'][b])
            scale = ev['frame_scale'][b]
            cam = h * scale
            # a road above the camera (h <= 0) is a failed plane fit, not evidence
            ok = math.isfinite(cam) and h > 0
            out.append(dict(road_height=h, scale=scale, num_objects=ev['frame_count'][b],
                            camera_height=cam if ok else math.nan))
        return out
