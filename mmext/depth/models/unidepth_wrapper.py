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


def _unidepth_camera(K: Tensor):
    """True K -> UniDepth's camera object (``BatchCamera`` of a ``Pinhole``), as ``infer``."""
    from unidepth.utils.camera import BatchCamera, Pinhole
    return BatchCamera.from_camera(Pinhole(K=K))


@MODELS.register_module()
class UniDepthWrapper(BaseModel):
    """UniDepth V2 adapted to mmext's depth interface (same modes and data samples as
    :class:`DepthEstimator`).

    Training runs ``module.encode_decode({'image', 'camera'}, [])`` with gradients: UniDepth's
    ``infer`` is decorated with ``no_grad`` and fp16 autocast and cannot be fine-tuned, and
    its ``forward`` in train mode computes UniDepth's own losses from its own data format.
    The *known* K (scaled to the network input) is passed as the camera. UniDepth still
    predicts intrinsics; they are returned as ``pred_K`` (mapped back to the input resolution)
    and logged as ``pred_fx_rel_err``, never written over the true ``K``.

    Args:
        pretrained: Hub id / path for ``UniDepthV2.from_pretrained``.
        input_size: ``(h, w)`` fed to the network (multiples of 14, 0.2-0.6 MP).
        losses: Loss configs, as for DepthEstimator.
        data_preprocessor: Preprocessor config (ImageNet normalisation as UniDepth).
        module: An already built network following UniDepthV2's ``encode_decode`` contract
            (tests, custom builds); ``pretrained`` is then ignored.
        camera_fn: Maps a ``(B, 3, 3)`` K to the camera object the module expects
            (UniDepth's ``BatchCamera`` by default).
        init_cfg: mmengine init config.
    """

    def __init__(self, pretrained: Optional[str] = 'lpiccinelli/unidepth-v2-vitl14',
                 input_size: Tuple[int, int] = (420, 560), losses: Union[Dict, List] = (),
                 data_preprocessor: Optional[Dict] = None, module: Optional[nn.Module] = None,
                 camera_fn: Optional[Callable] = None, init_cfg: Optional[Dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='DepthDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
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
        self.camera_fn = camera_fn or _unidepth_camera
        losses = [losses] if isinstance(losses, dict) else list(losses)
        self.losses = nn.ModuleList([MODELS.build(c) for c in losses])

    @property
    def backbone(self) -> nn.Module:
        """The encoder (``pixel_encoder``), for StagedFinetuneHook / paramwise_cfg."""
        return self.module.pixel_encoder

    def predict_depth_and_K(self, inputs: Tensor, K: Tensor) -> Tuple[Tensor, Tensor]:
        """Normalised images + true K (input size) -> depth ``(B, 1, H, W)``, predicted K."""
        H, W = inputs.shape[-2:]
        h, w = self.input_size
        sx, sy = w / W, h / H
        x = F.interpolate(inputs, (h, w), mode='bilinear', align_corners=False)
        K_net = scale_intrinsics(K.to(inputs.dtype), sx, sy)
        _, out = self.module.encode_decode({'image': x, 'camera': self.camera_fn(K_net)}, [])
        depth = F.interpolate(out['depth'].float(), (H, W), mode='bilinear', align_corners=False)
        pred_K = scale_intrinsics(out['intrinsics'].float(), 1 / sx, 1 / sy)
        return depth, pred_K

    def _true_K(self, data_samples, like: Tensor) -> Tensor:
        if not data_samples or 'K' not in data_samples[0]:
            raise ValueError('UniDepthWrapper needs the true K in every data sample '
                             "('K', 3x3 for the input size)")
        return torch.stack([torch.as_tensor(s.K) for s in data_samples]).to(like)

    def forward(self, inputs: Tensor, data_samples: Optional[List[BaseDataElement]] = None,
                mode: str = 'tensor'):
        K = self._true_K(data_samples, inputs)
        if mode == 'tensor':
            return self.predict_depth_and_K(inputs, K)[0]
        if mode == 'loss':
            if not self.losses:
                raise ValueError('UniDepthWrapper was built without losses; cannot train')
            pred, pred_K = self.predict_depth_and_K(inputs, K)
            kw = DepthEstimator.loss_inputs(data_samples, pred)
            out = {}
            for loss in self.losses:
                name = getattr(loss, 'loss_name', type(loss).__name__)
                out[name] = out.get(name, 0) + loss(pred, **kw)
            # Logged only (no 'loss' in the key): how far the predicted fx is from the true one.
            out['pred_fx_rel_err'] = ((pred_K[:, 0, 0] - K[:, 0, 0]).abs() / K[:, 0, 0]).mean(
            ).detach()
            return out
        if mode == 'predict':
            pred, pred_K = self.predict_depth_and_K(inputs, K)
            for s, d, pk in zip(data_samples, pred, pred_K):
                s.pred_depth, s.pred_K = d.detach(), pk.detach()
            return data_samples
        raise ValueError(f"mode must be 'tensor', 'loss' or 'predict', got {mode!r}")
