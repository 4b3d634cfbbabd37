"""ResNet feature pyramid for the depth and pose networks (monodepth2's ``ResnetEncoder``)."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.runner.checkpoint import CheckpointLoader
from torch import Tensor, nn

from mmext.registry import MODELS
from mmext.utils.weight_loading import key_report, require_all_keys_loaded


@MODELS.register_module()
class ResNetPyramidEncoder(nn.Module):
    """Five feature maps of a mmdet/mmpretrain ResNet: stem (1/2), layer1..4 (1/4..1/32).

    monodepth2's decoder also needs the stem output before max-pooling, which the
    OpenMMLab ResNets do not return; this wrapper runs their stem and stages itself.
    Images come in as ``[0, 1]`` RGB and are normalised with ``mean``/``std`` here.

    Args:
        backbone: Config of a ResNet whose stem is ``conv1/norm1/relu`` (or ``stem`` when
            ``deep_stem``) followed by ``maxpool`` and ``res_layers`` -- mmdet's ``ResNet``
            (unprefixed) or ``mmpretrain.ResNet``. ``in_channels = 3 * num_frames`` for the
            pose encoder.
        pretrained: ImageNet checkpoint (path or mmengine URI, e.g. ``'torchvision://resnet18'``)
            loaded by :meth:`init_weights`. For ``in_channels > 3`` the RGB ``conv1`` kernel is
            tiled over the frames and divided by their number (monodepth2).
        mean: Per-channel mean of ``[0, 1]`` inputs (repeated for stacked frames).
        std: Per-channel std.
    """

    def __init__(self, backbone: Dict, pretrained: Optional[str] = None,
                 mean: Sequence[float] = (0.485, 0.456, 0.406),
                 std: Sequence[float] = (0.229, 0.224, 0.225)) -> None:
        super().__init__()
        backbone = dict(backbone)
        backbone.setdefault('out_indices', (0, 1, 2, 3))
        self.backbone = MODELS.build(backbone)
        for attr in ('maxpool', 'res_layers'):
            if not hasattr(self.backbone, attr):
                raise TypeError(f'ResNetPyramidEncoder needs a ResNet-like backbone with '
                                f'{attr!r}; got {type(self.backbone).__name__}')
        in_ch = backbone.get('in_channels', 3)
        if in_ch % 3:
            raise ValueError(f'backbone in_channels must be a multiple of 3 (RGB frames), '
                             f'got {in_ch}')
        reps = in_ch // 3
        self.register_buffer('mean', torch.tensor(list(mean) * reps).view(1, -1, 1, 1), False)
        self.register_buffer('std', torch.tensor(list(std) * reps).view(1, -1, 1, 1), False)
        self.pretrained = pretrained
        self.num_ch_enc = self._channels()

    def _channels(self) -> List[int]:
        with torch.no_grad():
            x = torch.zeros(1, self.mean.shape[1], 64, 64)
            return [f.shape[1] for f in self.forward(x)]

    def init_weights(self) -> None:
        """Load ``pretrained`` (if any) with conv1 adapted to the number of input frames."""
        if not self.pretrained:
            return
        ckpt = CheckpointLoader.load_checkpoint(self.pretrained, map_location='cpu')
        state = ckpt.get('state_dict', ckpt)
        state = {k[len('backbone.'):] if k.startswith('backbone.') else k: v
                 for k, v in state.items()}
        own = self.backbone.state_dict()
        w = state.get('conv1.weight')
        if w is not None and 'conv1.weight' in own and w.shape[1] != own['conv1.weight'].shape[1]:
            reps = own['conv1.weight'].shape[1] // w.shape[1]
            state['conv1.weight'] = w.repeat(1, reps, 1, 1) / reps
        # every encoder key must load (shared rule, mmext.utils.weight_loading)
        report = key_report(own, state, lambda k: k.endswith('num_batches_tracked'),
                            lambda k: k.startswith('fc.'))
        report['shape_mismatch'] = [k for k in state if k in own
                                    and state[k].shape != own[k].shape]
        require_all_keys_loaded(report, self.pretrained, 'ResNet encoder (same depth?)',
                                total=len(own))
        state = {k: v for k, v in state.items() if k in own}
        self.backbone.load_state_dict(state, strict=False)

    def forward(self, x: Tensor) -> List[Tensor]:
        """``(B, 3F, H, W)`` images in ``[0, 1]`` -> five feature maps, finest first."""
        b = self.backbone
        x = (x - self.mean) / self.std
        if getattr(b, 'deep_stem', False):
            x = b.stem(x)
        else:
            x = b.relu(b.norm1(b.conv1(x)))
        feats = [x]
        x = b.maxpool(x)
        for name in b.res_layers:
            x = getattr(b, name)(x)
            feats.append(x)
        return feats
