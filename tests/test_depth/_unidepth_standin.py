"""Stand-ins reproducing the behaviour of UniDepth's camera classes
(``unidepth/utils/camera.py``: ``Camera.__torch_function__`` for ``torch.cat``/``stack``,
``Pinhole.unproject`` reshaping to the *pixel grid's* batch, ``BatchCamera`` unprojecting camera
by camera, ``get_rays`` on a batch-1 pixel grid) and a UniDepthV2-like module whose
``encode_decode`` uses them as UniDepthV2 does (GT rays when a camera is given, otherwise its
own predicted camera). The real package is not on PyPI; written for the tests."""
import torch
from torch import nn


def coords_grid(b, h, w):
    x = torch.linspace(0.5, w - 0.5, w)
    y = torch.linspace(0.5, h - 0.5, h)
    grid = torch.stack([x.repeat(h, 1), y.repeat(w, 1).t()], 0)
    return grid[None].repeat(b, 1, 1, 1)


class Camera:
    def __init__(self, params=None, K=None):
        if params.ndim == 1:
            params = params.unsqueeze(0)
        self.params, self.K = params, K

    def _pad_params(self):
        pad = torch.zeros(self.params.shape[0], 16 - self.params.shape[1])
        return torch.cat([self.params, pad], 1)

    def get_rays(self, shapes):
        b, h, w = shapes
        rays = self.unproject(coords_grid(1, h, w))
        return rays / torch.norm(rays, dim=1, keepdim=True).clamp(min=1e-4)

    @staticmethod
    def _cat(cameras, func, **kwargs):
        flat = []
        for c in cameras:
            flat.extend(c.cameras if isinstance(c, BatchCamera) else [c])
        return BatchCamera(func([c._pad_params() for c in flat], **kwargs),
                           func([c.K for c in flat], **kwargs),
                           [type(c).__name__ for c in flat], flat)

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in (torch.cat, torch.stack):
            return Camera._cat(args[0], func, **kwargs)
        return NotImplemented


class Pinhole(Camera):
    def __init__(self, params=None, K=None):
        assert params is not None or K is not None
        if params is None:
            params = torch.stack([K[..., 0, 0], K[..., 1, 1], K[..., 0, 2], K[..., 1, 2]], -1)
        super().__init__(params, K)

    def unproject(self, uv):
        b, _, h, w = uv.shape
        uv_h = torch.cat([uv.reshape(b, 2, -1), torch.ones(b, 1, h * w)], 1)
        xyz = torch.inverse(self.K.float()) @ uv_h
        xyz = xyz / xyz[:, -1:].clip(min=1e-4)
        return xyz.reshape(b, 3, h, w)          # batch-B K on a batch-1 grid: shape error


class BatchCamera(Camera):
    def __init__(self, params, K, original_class, cameras):
        super().__init__(params, K)
        self.original_class, self.cameras = original_class, cameras

    def unproject(self, points_2d):
        return torch.cat([c.unproject(points_2d) for c in self.cameras])

    @classmethod
    def from_camera(cls, camera):
        return cls(camera.params, camera.K, [type(camera).__name__], [camera])


class StandInUniDepthV2(nn.Module):
    """``encode_decode`` as UniDepthV2: rays from the camera if given, else from its own
    predicted intrinsics; depth = rays_z * radius; ``outputs['intrinsics']`` predicted."""

    def __init__(self, f_scale=1.3):
        super().__init__()
        self.pixel_encoder = nn.Conv2d(3, 4, 3, padding=1)
        self.pixel_decoder = nn.Conv2d(4 + 3, 1, 1)
        self.cam_head = nn.Linear(4, 1)
        self.f_scale = f_scale
        self.seen = []

    def encode_decode(self, inputs, image_metas=[]):
        img = inputs['image']
        B, _, H, W = img.shape
        assert H % 14 == 0 and W % 14 == 0
        feat = self.pixel_encoder(img)
        f = self.f_scale * W * (1 + 0.1 * torch.tanh(self.cam_head(feat.mean((2, 3)))))[:, 0]
        pred_K = torch.zeros(B, 3, 3)
        pred_K[:, 0, 0], pred_K[:, 1, 1] = f, f
        pred_K[:, 0, 2], pred_K[:, 1, 2], pred_K[:, 2, 2] = W / 2, H / 2, 1
        cam = inputs.get('camera')
        if cam is not None:
            rays = cam.get_rays(shapes=(B, H, W))
        else:
            uv = coords_grid(B, H, W)
            uv_h = torch.cat([uv.reshape(B, 2, -1), torch.ones(B, 1, H * W)], 1)
            rays = (torch.inverse(pred_K) @ uv_h).reshape(B, 3, H, W)
            rays = rays / rays.norm(dim=1, keepdim=True)
        self.seen.append((tuple(img.shape), None if cam is None else cam.K.clone(), rays))
        radius = 0.3 + torch.sigmoid(self.pixel_decoder(torch.cat([feat, rays], 1)))
        depth = rays[:, 2:] * radius
        return inputs, {'depth': depth, 'intrinsics': pred_K, 'rays': rays}

    @torch.no_grad()
    def infer(self, rgb, camera=None):
        raise AssertionError('training must not go through infer (no_grad)')
