"""Slot-collapse diagnostics of research log 004, computed on one forward pass.

The log steered its debugging by these numbers (Phase 1-6):

* ``mask_similarity`` -- mean cosine similarity between the soft masks of two different
  slots of the same image (flattened over positions), over all pairs i != j. 1 = every slot
  covers every position alike (collapse; the log saw 0.866, then 0.723, aiming at < 0.5);
  0 = disjoint masks.
* ``amax_<r>`` -- the maximum over positions of each slot's mask ("max activations" in the
  log), sorted in decreasing order (rank r = 0 is the slot reaching the highest value) and
  averaged over images; collapse shows as every value near 1/K, or as a few slots at 1/3
  and the rest near 0 ("3 slots dominate"). Slots are exchangeable between images, hence
  the sorting.
* ``used_slots`` -- number of slots that are the argmax at some position, averaged over
  images (1 = one slot takes the whole image).
* ``attn_max_min`` / ``attn_max_mean`` -- the same per-slot maxima of the last
  slot-attention map (softmax over slots), smallest and mean.
* ``logit_mean``, ``logit_std``, ``logit_min``, ``logit_max`` -- statistics of the mask
  (alpha) logits before the temperature, and ``logit_spread``, the std over slots at a
  position of ``logits / tau``, averaged over positions: the log found std 0.031, i.e. a
  near-uniform softmax ("exp(0.03) = 1.03").
* ``feat_std`` -- std of the backbone features the model reconstructs (DINOv2 2.4, DINOv1
  3.7, CLIP 0.5 in the log), and ``proj_std`` -- std of the projected tokens entering slot
  attention (a single Linear collapsed their variance to 0.001 in the log).

:func:`collapse_reasons` turns them into a verdict.
"""
from typing import Dict, List, Optional

import torch

__all__ = ['mask_similarity', 'slot_max', 'slot_diagnostics', 'collapse_reasons']


def mask_similarity(masks: torch.Tensor) -> torch.Tensor:
    """Mean pairwise cosine similarity of slot masks (N, K, P) over pairs i != j."""
    n, k = masks.shape[:2]
    if k < 2:
        return masks.new_tensor(float('nan'))
    m = masks.reshape(n, k, -1).double()
    m = m / m.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    sim = m @ m.transpose(1, 2)  # (N, K, K)
    off = sim.sum(dim=(1, 2)) - sim.diagonal(dim1=1, dim2=2).sum(-1)
    return (off / (k * (k - 1))).mean().float()


def slot_max(masks: torch.Tensor) -> torch.Tensor:
    """Per-slot maximum over positions of masks (N, K, P), sorted decreasingly per image and
    averaged over images: shape (K,)."""
    per = masks.reshape(*masks.shape[:2], -1).amax(dim=-1)  # (N, K)
    return per.sort(dim=1, descending=True).values.mean(0)


@torch.no_grad()
def slot_diagnostics(masks: torch.Tensor, logits: Optional[torch.Tensor] = None,
                     temperature: float = 1.0, attn: Optional[torch.Tensor] = None,
                     features: Optional[torch.Tensor] = None,
                     tokens: Optional[torch.Tensor] = None) -> Dict[str, float]:
    """The diagnostics of the module docstring.

    Args:
        masks: Soft masks (N, K, P) (sum to 1 over K).
        logits: Mask logits (N, K, P) before the temperature (decoder alphas), if any.
        temperature: The decoder's ``mask_temperature`` tau.
        attn: Slot-attention maps (N, P', K) (softmax over slots), if any.
        features: Backbone features (N, P', C) (reconstruction target), if any.
        tokens: Projected tokens (N, P', D) entering slot attention, if any.

    Returns:
        Plain floats keyed by diagnostic name.
    """
    masks = masks.detach().float()
    out: Dict[str, float] = {'mask_similarity': float(mask_similarity(masks))}
    for r, v in enumerate(slot_max(masks).tolist()):
        out[f'amax_{r}'] = v
    winners = masks.argmax(dim=1)  # (N, P)
    k = masks.shape[1]
    used = torch.stack([torch.bincount(w.flatten(), minlength=k) > 0 for w in winners])
    out['used_slots'] = float(used.sum(1).float().mean())
    if logits is not None:
        lg = logits.detach().float()
        out.update(logit_mean=float(lg.mean()), logit_std=float(lg.std()),
                   logit_min=float(lg.min()), logit_max=float(lg.max()),
                   logit_spread=float((lg / temperature).std(dim=1).mean()))
    if attn is not None:
        amax = slot_max(attn.detach().float().transpose(1, 2))
        out.update(attn_max_min=float(amax.min()), attn_max_mean=float(amax.mean()))
    if features is not None:
        out['feat_std'] = float(features.detach().float().std())
    if tokens is not None:
        out['proj_std'] = float(tokens.detach().float().std())
    return out


def collapse_reasons(diag: Dict[str, float], num_slots: int,
                     max_mask_similarity: float = 0.8, min_used_slots: float = 1.5,
                     min_logit_spread: float = 0.05) -> List[str]:
    """Reasons to call a state collapsed (empty list = none), from :func:`slot_diagnostics`.

    Rules (log 004): masks of different slots alike (``mask_similarity`` above
    ``max_mask_similarity``), a single slot winning nearly everywhere (``used_slots`` below
    ``min_used_slots``), or every slot's maximum within 10 % of 1/K (uniform masks) -- and,
    for decoder masks, mask logits too flat to separate slots (``logit_spread`` below
    ``min_logit_spread``).
    """
    reasons = []
    ms = diag.get('mask_similarity', float('nan'))
    if ms > max_mask_similarity:
        reasons.append(f'mask_similarity {ms:.3f} > {max_mask_similarity}')
    if diag.get('used_slots', num_slots) < min_used_slots:
        reasons.append(f"used_slots {diag['used_slots']:.2f} of {num_slots}")
    top = diag.get('amax_0')
    if top is not None and top < 1.1 / num_slots:
        reasons.append(f'max mask value of every slot <= {top:.3f} ~ 1/K = {1 / num_slots:.3f}')
    spread = diag.get('logit_spread')
    if spread is not None and spread < min_logit_spread:
        reasons.append(f'mask logits flat (spread over slots {spread:.4f} < '
                       f'{min_logit_spread})')
    return reasons
