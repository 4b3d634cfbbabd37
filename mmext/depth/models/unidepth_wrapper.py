"""UniDepth V2 behind the DepthEstimator interface (training through ``encode_decode``)."""
from typing import Callable, Dict, List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.structures import BaseDataElement
from torch import Tensor, nn

from mmext.geometry import scale_intrinsics
from mmext.registry import MODELS
from .depth_estimator import DepthEstimator

INSTALL_HINT = (
    'UniDepthWrapper needs the UniDepth package, which is not on PyPI. Install it from its '
    'repository: `pip install "git+https://github.com/lpiccinelli-eth/UniDepth.git"` '
    '(see its README for the torch/xformers versions), then use '
    "pretrained='lpiccinelli/unidepth-v2-vitl14' (or -vits14 / -vitb14).")


CAMERA_MODES = ('predicted', 'true_K')


def build_batch_camera(K: Tensor, pinhole_cls: Optional[type] = None):
    """``(B, 3, 3)`` K -> UniDepth ``BatchCamera`` holding one ``Pinhole`` per image.

    UniDepth's ``BatchCamera`` unprojects camera by camera (``get_rays`` / ``reconstruct``
    iterate over ``self.cameras``), so a single ``Pinhole`` wrapping the whole batch (what
    ``infer`` builds from a ``(B, 3, 3)`` tensor) breaks at batch > 1. The per-image cameras
    are concatenated with ``torch.cat``, which UniDepth's ``Camera.__torch_function__`` turns
    into a ``BatchCamera`` (as its data loaders do).

    Args:
        K: Intrinsics ``(B, 3, 3)`` at the network input size.
        pinhole_cls: The ``Pinhole`` class (UniDepth's ``unidepth.utils.camera.Pinhole`` by
            default).
    """
    if pinhole_cls is None:
        from unidepth.utils.camera import Pinhole as pinhole_cls
    if K.dim() != 3 or K.shape[-2:] != (3, 3):
        raise ValueError(f'K must be (B, 3, 3), got {tuple(K.shape)}')
    return torch.cat([pinhole_cls(K=K[i:i + 1]) for i in range(K.shape[0])])


@MODELS.register_module()
class UniDepthWrapper(BaseModel):
    """UniDepth V2 adapted to mmext's depth interface (same modes and data samples as
    :class:`DepthEstimator`).

    Training runs ``module.encode_decode({'image'[, 'camera']}, [])`` with gradients:
    UniDepth's ``infer`` is decorated with ``no_grad`` and fp16 autocast and cannot be
    fine-tuned, and its ``forward`` in train mode computes UniDepth's own losses from its own
    data format.

    Camera (``camera_mode``): ``'predicted'`` (default, log 001's protocol) -- no camera is
    given, UniDepth predicts its own camera in training and evaluation; ``'true_K'`` -- the
    known K, scaled to the network input, is passed as one ``Pinhole`` per image and UniDepth
    uses its rays. In both modes the predicted intrinsics are returned as ``pred_K`` (mapped
    back to the input resolution), their focal error is logged as ``pred_fx_rel_err`` /
    ``pred_fy_rel_err``, and the *true* K of the data sample is what volumes use (it is never
    overwritten). ``focal_loss_weight > 0`` adds log 001's optional camera term
    ``loss_focal = w * mean((fx_pred/fx - 1)^2 + (fy_pred/fy - 1)^2) / 2``.

    Args:
        pretrained: Hub id / path for ``UniDepthV2.from_pretrained``.
        input_size: ``(h, w)`` fed to the network (multiples of 14, 0.2-0.6 MP).
        losses: Loss configs, as for DepthEstimator.
        data_preprocessor: Preprocessor config (ImageNet normalisation as UniDepth).
        module: An already built network following UniDepthV2's ``encode_decode`` contract
            (tests, custom builds); ``pretrained`` is then ignored.
        camera_fn: Maps a ``(B, 3, 3)`` K to the camera object the module expects
            (:func:`build_batch_camera`: UniDepth's ``BatchCamera``, one Pinhole per image).
        camera_mode: ``'predicted'`` or ``'true_K'`` (see above).
        focal_loss_weight: Weight of the focal-length loss (0: logged only).
        init_cfg: mmengine init config.
    """

    def __init__(self, pretrained: Optional[str] = 'lpiccinelli/unidepth-v2-vitl14',
                 input_size: Tuple[int, int] = (420, 560), losses: Union[Dict, List] = (),
                 data_preprocessor: Optional[Dict] = None, module: Optional[nn.Module] = None,
                 camera_fn: Optional[Callable] = None, camera_mode: str = 'predicted',
                 focal_loss_weight: float = 0.0, init_cfg: Optional[Dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='DepthDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if camera_mode not in CAMERA_MODES:
            raise ValueError(f'camera_mode must be one of {CAMERA_MODES}, got {camera_mode!r}')
        if focal_loss_weight < 0:
            raise ValueError(f'focal_loss_weight must be >= 0, got {focal_loss_weight}')
        self.camera_mode, self.focal_loss_weight = camera_mode, float(focal_loss_weight)
        if any(s % 14 for s in input_size):
            raise ValueError(f'input_size {tuple(input_size)} must be multiples of 14')
        self.input_size = tuple(input_size)
        if module is None:
            try:
                from unidepth.models import UniDepthV2
            except ImportError as e:
                raise ImportError(INSTALL_HINT) from e
            module = UniDepthV2.from_pretrained(pretrained)
        self.module = module
        self.camera_fn = camera_fn or build_batch_camera
        losses = [losses] if isinstance(losses, dict) else list(losses)
        self.losses = nn.ModuleList([MODELS.build(c) for c in losses])

    @property
    def backbone(self) -> nn.Module:
        """The encoder (``pixel_encoder``), for StagedFinetuneHook / paramwise_cfg."""
        return self.module.pixel_encoder

    def predict_depth_and_K(self, inputs: Tensor,
                            K: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:
        """Normalised images (+ true K at the input size, needed for ``camera_mode='true_K'``)
        -> depth ``(B, 1, H, W)`` and the predicted K at the input size."""
        H, W = inputs.shape[-2:]
        h, w = self.input_size
        sx, sy = w / W, h / H
        x = F.interpolate(inputs, (h, w), mode='bilinear', align_corners=False)
        net_in = {'image': x}
        if self.camera_mode == 'true_K':
            if K is None:
                raise ValueError("UniDepthWrapper(camera_mode='true_K') needs the true K")
            net_in['camera'] = self.camera_fn(scale_intrinsics(K.to(inputs.dtype), sx, sy))
        _, out = self.module.encode_decode(net_in, [])
        depth = F.interpolate(out['depth'].float(), (H, W), mode='bilinear', align_corners=False)
        pred_K = scale_intrinsics(out['intrinsics'].float(), 1 / sx, 1 / sy)
        return depth, pred_K

    def _true_K(self, data_samples, like: Tensor, required: bool = True) -> Optional[Tensor]:
        if not data_samples or 'K' not in data_samples[0]:
            if not required:
                return None
            raise ValueError('UniDepthWrapper needs the true K in every data sample '
                             "('K', 3x3 for the input size)")
        return torch.stack([torch.as_tensor(s.K) for s in data_samples]).to(like)

    def forward(self, inputs: Tensor, data_samples: Optional[List[BaseDataElement]] = None,
                mode: str = 'tensor'):
        if mode == 'tensor':
            K = self._true_K(data_samples, inputs, required=self.camera_mode == 'true_K')
            return self.predict_depth_and_K(inputs, K)[0]
        if mode == 'loss':
            if not self.losses:
                raise ValueError('UniDepthWrapper was built without losses; cannot train')
            K = self._true_K(data_samples, inputs)
            pred, pred_K = self.predict_depth_and_K(inputs, K)
            kw = DepthEstimator.loss_inputs(data_samples, pred)   # the true K, for volumes
            out = {}
            for loss in self.losses:
                name = getattr(loss, 'loss_name', type(loss).__name__)
                out[name] = out.get(name, 0) + loss(pred, **kw)
            rx = pred_K[:, 0, 0] / K[:, 0, 0] - 1
            ry = pred_K[:, 1, 1] / K[:, 1, 1] - 1
            if self.focal_loss_weight > 0:
                out['loss_focal'] = self.focal_loss_weight * (rx ** 2 + ry ** 2).mean() / 2
            # Logged only (no 'loss' in the key): how far the predicted focals are from the
            # true ones.
            out['pred_fx_rel_err'] = rx.abs().mean().detach()
            out['pred_fy_rel_err'] = ry.abs().mean().detach()
            return out
        if mode == 'predict':
            K = self._true_K(data_samples, inputs)
            pred, pred_K = self.predict_depth_and_K(inputs, K)
            for s, d, pk, k in zip(data_samples, pred, pred_K, K):
                s.pred_depth, s.pred_K = d.detach(), pk.detach()
                s.pred_fx_rel_err = float((pk[0, 0] / k[0, 0] - 1).abs().detach())
            return data_samples
        raise ValueError(f"mode must be 'tensor', 'loss' or 'predict', got {mode!r}")
