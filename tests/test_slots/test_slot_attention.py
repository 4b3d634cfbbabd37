"""SlotAttention / SlotAttentionEncoder: the reference algorithm and its properties."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import adjusted_rand_score

from mmext.registry import MODELS
from mmext.slots.models import SlotAttention, SlotAttentionEncoder


def _reference_step(sa: SlotAttention, x: torch.Tensor, slots: torch.Tensor):
    """One iteration written out from the paper, independently of the module's loop."""
    xn = F.layer_norm(x, (sa.dim, ), sa.norm_inputs.weight, sa.norm_inputs.bias)
    k = xn @ sa.to_k.weight.T
    v = xn @ sa.to_v.weight.T
    sn = F.layer_norm(slots, (sa.dim, ), sa.norm_slots.weight, sa.norm_slots.bias)
    q = sn @ sa.to_q.weight.T
    logits = (k @ q.transpose(1, 2)) / np.sqrt(sa.dim) / sa.temperature  # (B, N, K)
    attn = torch.softmax(logits, dim=2)
    w = (attn + sa.eps)
    w = w / w.sum(dim=1, keepdim=True)
    updates = w.transpose(1, 2) @ v
    new = sa.gru(updates.reshape(-1, sa.dim), slots.reshape(-1, sa.dim)).view_as(slots)
    new = new + sa.mlp(sa.norm_mlp(new))
    return new, attn, w


@pytest.mark.parametrize('temperature', [1.0, 0.5])
def test_matches_written_out_reference(temperature):
    torch.manual_seed(0)
    sa = SlotAttention(dim=16, num_slots=4, iters=2, temperature=temperature)
    x = torch.randn(3, 10, 16)
    noise = torch.randn(3, 4, 16)
    out = sa(x, noise=noise)
    slots = sa.slots_mu + sa.slots_log_sigma.exp() * noise
    for _ in range(2):
        slots, attn, w = _reference_step(sa, x, slots)
    torch.testing.assert_close(out['slots'], slots)
    torch.testing.assert_close(out['attn'], attn)
    torch.testing.assert_close(out['attn_weights'], w)


def test_attention_normalisation():
    torch.manual_seed(1)
    sa = SlotAttention(dim=8, num_slots=5, iters=3)
    out = sa(torch.randn(2, 12, 8))
    # softmax over slots: every input token distributes exactly 1 over the K slots
    torch.testing.assert_close(out['attn'].sum(-1), torch.ones(2, 12))
    # after +eps and renormalisation: every slot's weights over the N inputs sum to 1
    torch.testing.assert_close(out['attn_weights'].sum(1), torch.ones(2, 5))
    assert (out['attn_weights'] > 0).all()
    # the renormalisation really is over inputs, not slots
    assert not torch.allclose(out['attn_weights'].sum(-1), torch.ones(2, 12))


def test_token_permutation_invariance():
    torch.manual_seed(2)
    enc = SlotAttentionEncoder(in_dim=12, slot_dim=16, num_slots=4, iters=3)
    x = torch.randn(2, 20, 12)
    noise = enc.sample_noise(2)
    perm = torch.randperm(20)
    a, b = enc(x, noise=noise), enc(x[:, perm], noise=noise)
    torch.testing.assert_close(a['slots'], b['slots'], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(a['attn'][:, perm], b['attn'], atol=1e-5, rtol=1e-5)


def test_slot_permutation_equivariance():
    torch.manual_seed(3)
    sa = SlotAttention(dim=8, num_slots=4)
    x, noise = torch.randn(1, 9, 8), torch.randn(1, 4, 8)
    perm = torch.tensor([2, 0, 3, 1])
    a, b = sa(x, noise=noise), sa(x, noise=noise[:, perm])
    torch.testing.assert_close(a['slots'][:, perm], b['slots'], atol=1e-5, rtol=1e-5)


def test_gradients_reach_every_parameter():
    torch.manual_seed(4)
    enc = SlotAttentionEncoder(in_dim=6, slot_dim=8, num_slots=3, feature_projection='mlp')
    x = torch.randn(2, 7, 6, requires_grad=True)
    out = enc(x)
    (out['slots'] ** 2).sum().backward()
    for name, p in enc.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    assert x.grad.abs().sum() > 0


def test_projection_kinds_and_errors():
    assert len(SlotAttentionEncoder(4, 8, feature_projection='mlp').projection) == 4
    assert len(SlotAttentionEncoder(4, 8, feature_projection='linear').projection) == 2
    with pytest.raises(ValueError, match='in_dim == out_dim'):
        SlotAttentionEncoder(4, 8, feature_projection='none')
    with pytest.raises(ValueError, match='feature_projection'):
        SlotAttentionEncoder(4, 8, feature_projection='conv')
    with pytest.raises(ValueError, match=r'\(B, N, 4\)'):
        SlotAttentionEncoder(4, 8)(torch.randn(2, 3, 5))
    with pytest.raises(ValueError, match='temperature'):
        SlotAttention(8, temperature=0)


def test_registered_and_xavier_init():
    enc = MODELS.build(dict(type='SlotAttentionEncoder', in_dim=4, slot_dim=64))
    assert isinstance(enc, SlotAttentionEncoder)
    mu = enc.slot_attention.slots_mu.detach()
    # torch's fans of a (1, 1, 64) tensor: fan_in = fan_out = 1 * 64 (receptive field 64)
    bound = np.sqrt(6.0 / (1 * 64 + 1 * 64))
    assert mu.abs().max() <= bound + 1e-6
    assert mu.abs().max() > 0.5 * bound  # 64 draws: not confined to U(-0.1, 0.1)
    uni = SlotAttention(64, init='uniform').slots_mu.detach()
    assert uni.abs().max() <= 0.1


def _two_blob_batch(b: int, gen: torch.Generator):
    """4x4 token grids split into two spatial halves (random orientation) with distinct
    feature vectors plus noise; returns tokens (B, 16, 4) and blob labels (B, 16)."""
    yy, xx = torch.meshgrid(torch.arange(4), torch.arange(4), indexing='ij')
    feats, labels = [], []
    for _ in range(b):
        cut = int(torch.randint(1, 4, (1, ), generator=gen))
        lab = (xx if torch.rand(1, generator=gen) < 0.5 else yy) >= cut
        lab = lab.flatten().long()
        centres = torch.tensor([[2.0, 0, 0, 0], [0, 2.0, 0, 0]])
        x = centres[lab] + 0.1 * torch.randn(16, 4, generator=gen)
        feats.append(x)
        labels.append(lab)
    return torch.stack(feats), torch.stack(labels)


def _blob_ari(enc: SlotAttentionEncoder, gen: torch.Generator) -> float:
    x, labels = _two_blob_batch(64, gen)
    with torch.no_grad():
        pred = enc(x)['attn'].argmax(-1)
    return float(np.mean([adjusted_rand_score(labels[i].numpy(), pred[i].numpy())
                          for i in range(64)]))


def test_two_blobs_separate_into_two_slots():
    """Two feature blobs: after a short training in which tokens are reconstructed from
    the slots *through the slot attention masks*, every token of a blob goes to the same
    slot and the two blobs to different slots. The untrained module does not (control)."""
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    enc = SlotAttentionEncoder(in_dim=4, slot_dim=16, num_slots=2, iters=3)
    readout = torch.nn.Linear(16, 4)
    assert _blob_ari(enc, gen) < 0.5  # control: untrained slots do not split the blobs
    opt = torch.optim.Adam(list(enc.parameters()) + list(readout.parameters()), lr=1e-2)
    for _ in range(60):
        x, _ = _two_blob_batch(32, gen)
        out = enc(x)
        recon = torch.einsum('bnk,bkc->bnc', out['attn'], readout(out['slots']))
        loss = F.mse_loss(recon, x)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert _blob_ari(enc, gen) > 0.95
