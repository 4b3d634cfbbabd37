"""monodepth2's multi-scale depth decoder and the two output parameterisations."""
from typing import Dict, List, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mmext.registry import MODELS
from mmext.utils.amp import float32


def conv3x3(cin: int, cout: int) -> nn.Sequential:
    """3x3 convolution with reflection padding (monodepth2's ``Conv3x3``)."""
    return nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(cin, cout, 3))


def conv_block(cin: int, cout: int) -> nn.Sequential:
    """``conv3x3`` followed by ELU (monodepth2's ``ConvBlock``)."""
    return nn.Sequential(conv3x3(cin, cout), nn.ELU(inplace=True))


@MODELS.register_module()
class MonoDepthDecoder(nn.Module):
    """U-Net decoder with skip connections producing one raw output map per scale.

    Args:
        num_ch_enc: Channels of the encoder's five feature maps (finest first).
        scales: Output scales; scale ``s`` has resolution ``input / 2**s``.
        num_ch_dec: Decoder channels per level (monodepth2: 16, 32, 64, 128, 256).
    """

    def __init__(self, num_ch_enc: Sequence[int], scales: Sequence[int] = (0, 1, 2, 3),
                 num_ch_dec: Sequence[int] = (16, 32, 64, 128, 256)) -> None:
        super().__init__()
        if len(num_ch_enc) != 5 or len(num_ch_dec) != 5:
            raise ValueError('num_ch_enc and num_ch_dec must list 5 levels')
        self.scales = tuple(scales)
        self.up0, self.up1 = nn.ModuleList(), nn.ModuleList()
        for i in range(5):
            cin = num_ch_enc[-1] if i == 4 else num_ch_dec[i + 1]
            self.up0.append(conv_block(cin, num_ch_dec[i]))
            cin = num_ch_dec[i] + (num_ch_enc[i - 1] if i > 0 else 0)
            self.up1.append(conv_block(cin, num_ch_dec[i]))
        self.heads = nn.ModuleDict({str(s): conv3x3(num_ch_dec[s], 1) for s in self.scales})

    def forward(self, feats: List[Tensor]) -> Dict[int, Tensor]:
        """Encoder features -> ``{scale: (B, 1, H / 2**scale, W / 2**scale)}`` raw outputs."""
        x = feats[-1]
        out = {}
        for i in range(4, -1, -1):
            x = F.interpolate(self.up0[i](x), scale_factor=2, mode='nearest')
            if i > 0:
                skip = feats[i - 1]
                if x.shape[-2:] != skip.shape[-2:]:
                    x = F.interpolate(x, skip.shape[-2:], mode='nearest')
                x = torch.cat([x, skip], 1)
            x = self.up1[i](x)
            if i in self.scales:
                out[i] = self.heads[str(i)](x)
        return out


class DepthOutput(nn.Module):
    """Map the decoder's raw outputs to depth (and disparity).

    ``'bounded_disparity'`` (monodepth2): ``disp = 1/max + (1/min - 1/max) * sigmoid(x)``,
    ``depth = 1/disp`` -- depth can never leave ``[min_depth, max_depth]``, which caps
    metric depth (the seed's finding). ``'softplus'`` (Insta-DM): ``depth = softplus(x +
    bias) + min_depth`` -- unbounded above; ``bias`` sets the depth at ``x = 0``
    (``init_depth``).

    Args:
        type: ``'bounded_disparity'`` or ``'softplus'``.
        min_depth: Smallest depth (m).
        max_depth: Largest depth (m), bounded mode only.
        init_depth: Softplus mode: depth for a zero raw output.
    """

    def __init__(self, type: str = 'bounded_disparity', min_depth: float = 0.1,
                 max_depth: float = 100.0, init_depth: float = 10.0) -> None:
        super().__init__()
        if type not in ('bounded_disparity', 'softplus'):
            raise ValueError(f"depth_output type must be 'bounded_disparity' or 'softplus', "
                             f'got {type!r}')
        if not 0 < min_depth < max_depth:
            raise ValueError(f'need 0 < min_depth < max_depth, got {min_depth}, {max_depth}')
        if type == 'softplus' and init_depth <= min_depth:
            raise ValueError(f'init_depth ({init_depth}) must exceed min_depth ({min_depth})')
        self.type, self.min_depth, self.max_depth = type, min_depth, max_depth
        # softplus(bias) = init_depth - min_depth
        self.bias = float(torch.log(torch.expm1(torch.tensor(init_depth - min_depth))))

    @float32
    def forward(self, raw: Tensor, size=None) -> Tensor:
        """Raw decoder output -> depth (m), optionally resized to ``size`` ``(H, W)``.

        monodepth2 resizes the *disparity* (bilinear) before inverting it; the softplus
        mode resizes depth.
        """
        if self.type == 'softplus':
            depth = F.softplus(raw + self.bias) + self.min_depth
            if size is not None and tuple(depth.shape[-2:]) != tuple(size):
                depth = F.interpolate(depth, size, mode='bilinear', align_corners=False)
            return depth
        lo, hi = 1.0 / self.max_depth, 1.0 / self.min_depth
        disp = lo + (hi - lo) * torch.sigmoid(raw)
        if size is not None and tuple(disp.shape[-2:]) != tuple(size):
            disp = F.interpolate(disp, size, mode='bilinear', align_corners=False)
        return 1.0 / disp
