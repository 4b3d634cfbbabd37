"""Shared MMEngine plumbing of the slot models (loss / predict / tensor modes).

A subclass implements :meth:`SlotModelBase.encode`, which maps a normalised clip batch
(B, T, 3, H, W) to slots, low-resolution masks and the reconstruction / target pair; this
class turns that into the three MMEngine modes:

* ``loss``: ``{'loss_recon': MSE(reconstruction, target)}``;
* ``predict``: one :class:`~mmengine.structures.BaseDataElement` per clip with
  ``pred_masks`` (T, K, H, W) (bilinearly upsampled to the GT size, renormalised over
  slots), ``slots`` (T, K, D), ``gt_masks`` and, when ``test_cfg.stability_jitter`` is set,
  ``pred_masks_jitter`` from the jittered clip with the *same* slot-initialisation noise;
* ``tensor``: the low-resolution masks (B, T, K, h, w).

``diagnostics`` (default True): ``loss`` also returns the collapse diagnostics of log 004
(:mod:`mmext.slots.diagnostics`) as ``diag_*`` values, which MMEngine logs next to the loss
but does not optimise (their keys do not contain ``loss``); ``SlotDiagnosticsHook`` plots
them and warns on collapse.

``test_cfg`` keys: ``eval_seed`` (int, default 0: the slot initialisation noise in predict
comes from a generator with this seed, so predictions are reproducible) and
``stability_jitter`` (dict of :func:`.color_jitter.fixed_color_jitter` factors, or None).
"""
from typing import Any, Dict, List, Optional, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.structures import BaseDataElement

from mmext.registry import MODELS
from ..diagnostics import slot_diagnostics
from .color_jitter import fixed_color_jitter


class SlotModelBase(BaseModel):
    """Base class; subclasses set ``self.encoder`` (a ``SlotAttentionEncoder``)."""

    encoder: torch.nn.Module

    def __init__(self, data_preprocessor: Optional[dict] = None,
                 test_cfg: Optional[dict] = None, init_cfg: Optional[dict] = None,
                 diagnostics: bool = True) -> None:
        if isinstance(data_preprocessor, dict):  # resolve mmext names without a default scope
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.diagnostics = diagnostics
        self.test_cfg = dict(test_cfg or {})
        unknown = set(self.test_cfg) - {'eval_seed', 'stability_jitter'}
        if unknown:
            raise ValueError(f'unknown test_cfg keys {sorted(unknown)}; allowed: eval_seed, '
                             'stability_jitter')

    @staticmethod
    def check_mask_source(mask_source: str) -> str:
        """Validate a model's ``mask_source`` (``'decoder'`` or ``'attention'``)."""
        if mask_source not in ('decoder', 'attention'):
            raise ValueError(f"mask_source must be 'decoder' or 'attention', got "
                             f'{mask_source!r}')
        return mask_source

    # -- to implement -------------------------------------------------------------------
    def encode(self, inputs: torch.Tensor,
               noise: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
        """Return ``slots`` (B, T, K, D), ``masks`` (B, T, K, h, w), ``reconstruction`` and
        ``target`` (same shapes)."""
        raise NotImplementedError

    # -- modes --------------------------------------------------------------------------
    def forward(self, inputs: torch.Tensor, data_samples: Optional[List[Any]] = None,
                mode: str = 'tensor') -> Union[Dict[str, torch.Tensor], List[Any],
                                               torch.Tensor]:
        """MMEngine entry point; ``inputs`` (B, T, 3, H, W) normalised."""
        if inputs.dim() == 4:
            inputs = inputs.unsqueeze(1)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.encode(inputs)['masks']
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', got {mode!r}")

    def diagnostic_fields(self, enc: Dict[str, torch.Tensor], dec: Dict[str, torch.Tensor],
                          features: torch.Tensor) -> Dict[str, torch.Tensor]:
        """The extra ``encode`` outputs the collapse diagnostics read: decoder mask logits
        (decoder masks only), slot-attention maps, projected tokens and backbone features."""
        fields = dict(attn=enc['attn'], tokens=enc['tokens'], features=features)
        if getattr(self, 'mask_source', 'decoder') == 'decoder' and 'logits' in dec:
            fields['mask_logits'] = dec['logits']
        return fields

    def diagnose(self, out: Dict[str, torch.Tensor]) -> Dict[str, float]:
        """Collapse diagnostics (:func:`mmext.slots.diagnostics.slot_diagnostics`) of an
        ``encode`` output."""
        masks = out['masks'].flatten(0, 1).flatten(2)  # (B*T, K, h*w)
        tau = float(getattr(getattr(self, 'decoder', None), 'mask_temperature', 1.0))
        return slot_diagnostics(masks, logits=out.get('mask_logits'), temperature=tau,
                                attn=out.get('attn'), features=out.get('features'),
                                tokens=out.get('tokens'))

    def loss(self, inputs: torch.Tensor,
             data_samples: Optional[List[Any]] = None) -> Dict[str, torch.Tensor]:
        """MSE reconstruction loss (features for DINOSAUR, pixels for the pixel model), plus
        the collapse diagnostics as ``diag_*`` log values (not summed into the loss) when
        ``diagnostics`` is on."""
        out = self.encode(inputs)
        losses = dict(loss_recon=F.mse_loss(out['reconstruction'], out['target']))
        if self.diagnostics:
            dev = losses['loss_recon'].device
            losses.update({f'diag_{k}': torch.tensor(v, device=dev)
                           for k, v in self.diagnose(out).items()})
        return losses

    def eval_noise(self, batch: int, frames: int) -> torch.Tensor:
        """Reproducible slot-initialisation noise (B, T, K, D) from ``test_cfg.eval_seed``."""
        gen = torch.Generator().manual_seed(int(self.test_cfg.get('eval_seed', 0)))
        noise = self.encoder.sample_noise(batch * frames, generator=gen)
        return noise.reshape(batch, frames, *noise.shape[1:])

    def _jittered(self, inputs: torch.Tensor) -> torch.Tensor:
        pre = self.data_preprocessor
        if not hasattr(pre, 'denormalize'):
            raise TypeError('test_cfg.stability_jitter needs a SlotDataPreprocessor '
                            f'(with denormalize), got {type(pre).__name__}')
        jitter = self.test_cfg['stability_jitter']
        return pre.normalize(fixed_color_jitter(pre.denormalize(inputs), **jitter))

    @staticmethod
    def upsample_masks(masks: torch.Tensor, size: tuple) -> torch.Tensor:
        """Bilinearly resize masks (B, T, K, h, w) to ``size`` and renormalise over K."""
        b, t, k, h, w = masks.shape
        if (h, w) != tuple(size):
            masks = F.interpolate(masks.reshape(b * t, k, h, w), size=tuple(size),
                                  mode='bilinear', align_corners=False)
            masks = masks.clamp_min(0)
            masks = masks / masks.sum(dim=1, keepdim=True).clamp_min(1e-8)
            masks = masks.reshape(b, t, k, *size)
        return masks

    @torch.no_grad()
    def predict(self, inputs: torch.Tensor,
                data_samples: Optional[List[Any]] = None) -> List[BaseDataElement]:
        """Slot masks and vectors per clip (see module docstring)."""
        b, t = inputs.shape[:2]
        noise = self.eval_noise(b, t).to(inputs.device)
        out = self.encode(inputs, noise)
        jit = None
        if self.test_cfg.get('stability_jitter'):
            jit = self.encode(self._jittered(inputs), noise)['masks']
        results = []
        for i in range(b):
            sample = data_samples[i] if data_samples is not None else BaseDataElement()
            gt = sample.get('gt_masks') if isinstance(sample, BaseDataElement) else None
            size = tuple(gt.shape[-2:]) if gt is not None else tuple(inputs.shape[-2:])
            res = BaseDataElement(metainfo=sample.metainfo if isinstance(
                sample, BaseDataElement) else {})
            res.pred_masks = self.upsample_masks(out['masks'][i:i + 1], size)[0]
            res.slots = out['slots'][i]
            if gt is not None:
                res.gt_masks = gt
            if jit is not None:
                res.pred_masks_jitter = self.upsample_masks(jit[i:i + 1], size)[0]
            results.append(res)
        return results
