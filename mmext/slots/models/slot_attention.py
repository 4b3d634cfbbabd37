"""Slot Attention (Locatello et al., 2020) with the options found useful in seed 004.

The reference algorithm, per iteration::

    slots_prev = slots
    q = W_q LN(slots)                     # (B, K, D), no bias
    k, v = W_k LN(x), W_v LN(x)           # (B, N, D), no bias, LN(x) computed once
    logits = k q^T * D^-0.5 / temperature # (B, N, K)
    attn = softmax(logits, over slots K)  # each input token distributes 1 over slots
    attn = attn + eps
    w = attn / sum_N attn                 # weighted *mean* over inputs per slot
    updates = w^T v                       # (B, K, D)
    slots = GRU(updates, slots_prev)
    slots = slots + MLP(LN(slots))

Initial slots are ``mu + exp(log_sigma) * N(0, 1)`` with learned ``mu`` / ``log_sigma``
(Xavier-uniform initialised as in the reference implementation).

:class:`SlotAttentionEncoder` wraps the module with the input feature projection of
DINOSAUR: ``'mlp'`` is LN-Linear-ReLU-Linear (the seed found a single Linear collapsed the
feature variance 150x), ``'linear'`` is LN-Linear, ``'none'`` feeds the features unchanged.
"""
import math
from typing import Dict, Optional

import torch
import torch.nn as nn

from mmext.registry import MODELS
from mmext.utils.amp import float32


def build_feature_projection(kind: str, in_dim: int, out_dim: int,
                             hidden_dim: Optional[int] = None) -> nn.Module:
    """Build the projection applied to backbone features before slot attention.

    Args:
        kind: ``'mlp'`` (LayerNorm-Linear-ReLU-Linear), ``'linear'`` (LayerNorm-Linear) or
            ``'none'`` (identity; requires ``in_dim == out_dim``).
        in_dim: Feature dimension of the backbone tokens.
        out_dim: Dimension of the projected tokens (slot attention input).
        hidden_dim: Hidden width of the MLP (default ``in_dim``).

    Returns:
        The projection module.
    """
    if kind == 'mlp':
        hidden = hidden_dim or in_dim
        return nn.Sequential(
            nn.LayerNorm(in_dim), nn.Linear(in_dim, hidden), nn.ReLU(inplace=True),
            nn.Linear(hidden, out_dim))
    if kind == 'linear':
        return nn.Sequential(nn.LayerNorm(in_dim), nn.Linear(in_dim, out_dim))
    if kind == 'none':
        if in_dim != out_dim:
            raise ValueError(f"feature_projection='none' needs in_dim == out_dim, got "
                             f'{in_dim} and {out_dim}')
        return nn.Identity()
    raise ValueError(f"feature_projection must be 'mlp', 'linear' or 'none', got {kind!r}")


@MODELS.register_module()
class SlotAttention(nn.Module):
    """The iterative slot attention module (inputs already projected to ``dim``).

    Args:
        dim: Slot and input token dimension D.
        num_slots: Default number of slots K.
        iters: Number of attention iterations (reference: 3).
        mlp_hidden_dim: Hidden width of the residual slot MLP (default ``2 * dim``).
        temperature: Divides the attention logits (1.0 = reference).
        eps: Added to the attention before the renormalisation over inputs (1e-8).
        init: Initialisation of ``mu`` / ``log_sigma``: ``'xavier'`` (reference, Xavier
            uniform) or ``'uniform'`` (U(-0.1, 0.1), the seed's first, worse, choice).
    """

    def __init__(self, dim: int, num_slots: int = 7, iters: int = 3,
                 mlp_hidden_dim: Optional[int] = None, temperature: float = 1.0,
                 eps: float = 1e-8, init: str = 'xavier') -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        if iters < 1:
            raise ValueError(f'iters must be >= 1, got {iters}')
        self.dim = dim
        self.num_slots = num_slots
        self.iters = iters
        self.temperature = float(temperature)
        self.eps = eps
        self.scale = dim ** -0.5
        self.slots_mu = nn.Parameter(torch.empty(1, 1, dim))
        self.slots_log_sigma = nn.Parameter(torch.empty(1, 1, dim))
        if init == 'xavier':
            nn.init.xavier_uniform_(self.slots_mu)
            nn.init.xavier_uniform_(self.slots_log_sigma)
        elif init == 'uniform':
            nn.init.uniform_(self.slots_mu, -0.1, 0.1)
            nn.init.uniform_(self.slots_log_sigma, -0.1, 0.1)
        else:
            raise ValueError(f"init must be 'xavier' or 'uniform', got {init!r}")
        self.norm_inputs = nn.LayerNorm(dim)
        self.norm_slots = nn.LayerNorm(dim)
        self.norm_mlp = nn.LayerNorm(dim)
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(dim, dim, bias=False)
        self.to_v = nn.Linear(dim, dim, bias=False)
        self.gru = nn.GRUCell(dim, dim)
        hidden = mlp_hidden_dim or 2 * dim
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(inplace=True),
                                 nn.Linear(hidden, dim))

    def sample_noise(self, batch_size: int, num_slots: Optional[int] = None,
                     generator: Optional[torch.Generator] = None) -> torch.Tensor:
        """Draw the N(0, 1) noise of the slot initialisation, shape (B, K, D)."""
        k = num_slots or self.num_slots
        device = generator.device if generator is not None else self.slots_mu.device
        noise = torch.randn(batch_size, k, self.dim, generator=generator, device=device)
        return noise.to(self.slots_mu.device)

    def initial_slots(self, noise: torch.Tensor) -> torch.Tensor:
        """Return ``mu + exp(log_sigma) * noise``."""
        return self.slots_mu + self.slots_log_sigma.exp() * noise

    @float32
    def attention(self, k: torch.Tensor, slots: torch.Tensor) -> torch.Tensor:
        """Attention of one iteration, softmax over slots; shape (B, N, K)."""
        q = self.to_q(self.norm_slots(slots))
        logits = torch.einsum('bnd,bkd->bnk', k, q) * self.scale / self.temperature
        return logits.softmax(dim=-1)

    def forward(self, inputs: torch.Tensor, slots: Optional[torch.Tensor] = None,
                noise: Optional[torch.Tensor] = None,
                iters: Optional[int] = None) -> Dict[str, torch.Tensor]:
        """Group ``inputs`` into slots.

        Args:
            inputs: Tokens (B, N, D).
            slots: Initial slots (B, K, D) (e.g. from a video slot predictor); if ``None``
                they are sampled from the learned Gaussian.
            noise: Optional fixed N(0, 1) noise (B, K, D) for the sampled initialisation
                (makes a forward pass deterministic).
            iters: Overrides the number of iterations.

        Returns:
            ``slots`` (B, K, D), ``attn`` (B, N, K), the last iteration's attention
            normalised over slots (before ``eps``; use as masks) and ``attn_weights``
            (B, N, K), the same renormalised over inputs (columns sum to 1).
        """
        if inputs.dim() != 3 or inputs.shape[-1] != self.dim:
            raise ValueError(f'SlotAttention expects inputs (B, N, {self.dim}), got '
                             f'{tuple(inputs.shape)}')
        b = inputs.shape[0]
        if slots is None:
            if noise is None:
                noise = self.sample_noise(b)
            slots = self.initial_slots(noise)
        n_iters = self.iters if iters is None else iters
        x = self.norm_inputs(inputs)
        k, v = self.to_k(x), self.to_v(x)
        attn = weights = None
        for _ in range(n_iters):
            slots_prev = slots
            attn = self.attention(k, slots)
            weights = attn + self.eps
            weights = weights / weights.sum(dim=1, keepdim=True)
            updates = torch.einsum('bnk,bnd->bkd', weights, v)
            slots = self.gru(updates.reshape(-1, self.dim),
                             slots_prev.reshape(-1, self.dim)).reshape(b, -1, self.dim)
            slots = slots + self.mlp(self.norm_mlp(slots))
        if attn is None:  # iters == 0: report the attention of the initial slots
            attn = self.attention(k, slots)
            weights = (attn + self.eps) / (attn + self.eps).sum(dim=1, keepdim=True)
        return dict(slots=slots, attn=attn, attn_weights=weights)


@MODELS.register_module()
class SlotAttentionEncoder(nn.Module):
    """Feature projection followed by :class:`SlotAttention` (the DINOSAUR grouping).

    Config keys:
        in_dim: Dimension of the incoming tokens (e.g. 384 for ViT-S).
        slot_dim: Slot dimension D (DINOSAUR: 128 or 256).
        num_slots: Number of slots K.
        iters: Slot attention iterations.
        feature_projection: ``'mlp'`` | ``'linear'`` | ``'none'`` (see module docstring).
        projection_hidden_dim: Hidden width of the MLP projection (default ``in_dim``).
        mlp_hidden_dim: Hidden width of the residual slot MLP (default ``2 * slot_dim``).
        temperature: Divides the slot attention logits.
        init: ``'xavier'`` or ``'uniform'`` initialisation of ``mu`` / ``log_sigma``.
        eps: Epsilon of the renormalisation over inputs.

    Example:
        >>> enc = SlotAttentionEncoder(in_dim=384, slot_dim=128, num_slots=5)
        >>> out = enc(torch.randn(2, 256, 384))
        >>> out['slots'].shape, out['attn'].shape
        (torch.Size([2, 5, 128]), torch.Size([2, 256, 5]))
    """

    def __init__(self, in_dim: int, slot_dim: int = 128, num_slots: int = 7, iters: int = 3,
                 feature_projection: str = 'mlp',
                 projection_hidden_dim: Optional[int] = None,
                 mlp_hidden_dim: Optional[int] = None, temperature: float = 1.0,
                 init: str = 'xavier', eps: float = 1e-8) -> None:
        super().__init__()
        self.in_dim = in_dim
        self.slot_dim = slot_dim
        self.num_slots = num_slots
        self.projection = build_feature_projection(feature_projection, in_dim, slot_dim,
                                                   projection_hidden_dim)
        self.slot_attention = SlotAttention(slot_dim, num_slots=num_slots, iters=iters,
                                            mlp_hidden_dim=mlp_hidden_dim,
                                            temperature=temperature, eps=eps, init=init)

    def sample_noise(self, batch_size: int,
                     generator: Optional[torch.Generator] = None) -> torch.Tensor:
        """N(0, 1) noise (B, K, D) for the initial slots."""
        return self.slot_attention.sample_noise(batch_size, generator=generator)

    def forward(self, features: torch.Tensor, slots: Optional[torch.Tensor] = None,
                noise: Optional[torch.Tensor] = None,
                iters: Optional[int] = None) -> Dict[str, torch.Tensor]:
        """Project ``features`` (B, N, in_dim) and run slot attention.

        Returns the dict of :meth:`SlotAttention.forward` plus ``tokens``, the projected
        features (B, N, slot_dim).
        """
        if features.dim() != 3 or features.shape[-1] != self.in_dim:
            raise ValueError(f'SlotAttentionEncoder expects features (B, N, {self.in_dim}),'
                             f' got {tuple(features.shape)}')
        tokens = self.projection(features)
        out = self.slot_attention(tokens, slots=slots, noise=noise, iters=iters)
        out['tokens'] = tokens
        return out


def grid_side(num_tokens: int) -> int:
    """Side of the square token grid with ``num_tokens`` tokens (raises if not square)."""
    side = int(round(math.sqrt(num_tokens)))
    if side * side != num_tokens:
        raise ValueError(f'expected a square token grid, got {num_tokens} tokens')
    return side
