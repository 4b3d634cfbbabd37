"""Training-step throughput of mmext's Depth Anything V2 vs a plain PyTorch loop over
transformers' DepthAnythingForDepthEstimation with the same weights, loss (SILog), optimizer
(AdamW, same param groups) and batch; a third loop runs mmext's module by hand, so
``framework_overhead`` = train_step / hand loop on the same module.

mmext runs through ``model.train_step`` (data preprocessor + OptimWrapper), as the Runner does;
the plain loop normalises the batch itself and calls loss.backward / optimizer.step.

Example::

    python benchmarks/depth_train_step.py --arch tiny --size 154 --batch 4 --steps 10
    python benchmarks/depth_train_step.py --arch vitl --size 518 --batch 2 --amp   # on a GPU
"""
import argparse
import json
import time


def build_pair(arch, device):
    import torch
    from transformers import DepthAnythingConfig, DepthAnythingForDepthEstimation, Dinov2Config
    from mmext.depth.models import (DepthEstimator, convert_hf_state_dict,
                                    depth_anything_cfg_from_hf)
    if arch == 'tiny':
        bc = Dinov2Config(hidden_size=64, num_hidden_layers=4, num_attention_heads=4,
                          image_size=154, patch_size=14, out_indices=[1, 2, 3, 4],
                          reshape_hidden_states=False)
        cfg = DepthAnythingConfig(backbone_config=bc, reassemble_hidden_size=64,
                                  neck_hidden_sizes=[16, 32, 64, 64], fusion_hidden_size=32,
                                  depth_estimation_type='metric', max_depth=20)
    elif arch == 'vitl':
        bc = Dinov2Config(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16,
                          image_size=518, patch_size=14, out_indices=[5, 12, 18, 24],
                          reshape_hidden_states=False)
        cfg = DepthAnythingConfig(backbone_config=bc, reassemble_hidden_size=1024,
                                  neck_hidden_sizes=[256, 512, 1024, 1024],
                                  fusion_hidden_size=256, depth_estimation_type='metric',
                                  max_depth=20)
    else:
        raise ValueError(arch)
    torch.manual_seed(0)
    hf = DepthAnythingForDepthEstimation(cfg).to(device)
    backbone, head = depth_anything_cfg_from_hf(cfg)
    mm = DepthEstimator(backbone=backbone, decode_head=head,
                        losses=[dict(type='SILogLoss', lambd=0.5)]).to(device)
    mm.load_state_dict(convert_hf_state_dict(hf.state_dict())[0], strict=False)
    return hf, mm


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--arch', default='tiny', choices=['tiny', 'vitl'])
    p.add_argument('--size', type=int, default=154)
    p.add_argument('--batch', type=int, default=4)
    p.add_argument('--steps', type=int, default=10)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--amp', action='store_true')
    p.add_argument('--threads', type=int, default=None,
                   help='torch.set_num_threads (1 avoids OpenMP spin time in CPU timings)')
    a = p.parse_args()
    import torch
    if a.threads:
        torch.set_num_threads(a.threads)
    from mmengine.optim import AmpOptimWrapper, OptimWrapper
    from mmengine.structures import BaseDataElement
    from mmext.depth.losses import SILogLoss
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    hf, mm = build_pair(a.arch, device)
    S, B = a.size, a.batch
    g = torch.Generator().manual_seed(0)
    imgs = [torch.randint(0, 255, (3, S, S), dtype=torch.uint8, generator=g) for _ in range(B)]
    samples = []
    for _ in range(B):
        s = BaseDataElement()
        s.gt_depth = 0.3 + torch.rand(1, S, S, generator=g)
        samples.append(s)
    data = dict(inputs=imgs, data_samples=samples)

    def groups(model, enc):
        enc_p = [p for n, p in model.named_parameters() if n.startswith(enc)]
        dec_p = [p for n, p in model.named_parameters() if not n.startswith(enc)]
        return [{'params': enc_p, 'lr': 5e-6}, {'params': dec_p, 'lr': 5e-5}]
    opt_mm = torch.optim.AdamW(groups(mm, 'backbone'), weight_decay=0.01)
    wrapper = (AmpOptimWrapper(optimizer=opt_mm) if a.amp else OptimWrapper(optimizer=opt_mm))
    opt_hf = torch.optim.AdamW(groups(hf, 'backbone'), weight_decay=0.01)
    loss_fn = SILogLoss(0.5)
    mean = torch.tensor([123.675, 116.28, 103.53], device=device).view(1, 3, 1, 1)
    std = torch.tensor([58.395, 57.12, 57.375], device=device).view(1, 3, 1, 1)
    scaler = torch.amp.GradScaler(enabled=a.amp)

    def step_mm():
        mm.train_step(data, wrapper)

    opt_plain_mm = torch.optim.AdamW(groups(mm, 'backbone'), weight_decay=0.01)

    def step_plain_mm():
        # The same mmext module in a hand-written loop: isolates the framework's own cost.
        x = (torch.stack(imgs).to(device).float() - mean) / std
        gt = torch.stack([s.gt_depth for s in samples]).to(device)
        with torch.autocast(device_type=device, enabled=a.amp):
            pred = mm.predict_depth(x)
        loss = loss_fn(pred.float(), gt)
        opt_plain_mm.zero_grad()
        scaler.scale(loss).backward()
        scaler.step(opt_plain_mm)
        scaler.update()

    def step_hf():
        x = (torch.stack(imgs).to(device).float() - mean) / std
        gt = torch.stack([s.gt_depth for s in samples]).to(device)
        with torch.autocast(device_type=device, enabled=a.amp):
            pred = hf(pixel_values=x).predicted_depth
        loss = loss_fn(pred.float().unsqueeze(1), gt)
        opt_hf.zero_grad()
        scaler.scale(loss).backward()
        scaler.step(opt_hf)
        scaler.update()

    # On CPU, process CPU time (all threads) instead of wall time: on a shared machine the
    # wall time mostly measures the other processes.
    clock = time.perf_counter if device == 'cuda' else time.process_time

    def timed(fn):
        if device == 'cuda':
            torch.cuda.synchronize()
        t = clock()
        fn()
        if device == 'cuda':
            torch.cuda.synchronize()
        return clock() - t

    for _ in range(a.warmup):
        step_hf()
        step_mm()
        step_plain_mm()
    if device == 'cuda':
        torch.cuda.reset_peak_memory_stats()
    # Alternate single steps and take medians: machine-load drift hits both equally.
    t_hf, t_mm, t_pm = [], [], []
    for _ in range(a.steps):
        t_hf.append(timed(step_hf))
        t_mm.append(timed(step_mm))
        t_pm.append(timed(step_plain_mm))
    import statistics
    t_hf, t_mm, t_pm = (statistics.median(t) for t in (t_hf, t_mm, t_pm))
    m_hf = m_mm = (torch.cuda.max_memory_allocated() / 2 ** 30 if device == 'cuda' else None)
    print(json.dumps(dict(arch=a.arch, size=S, batch=B, amp=a.amp, device=device,
                          threads=torch.get_num_threads(),
                          clock='wall' if device == 'cuda' else 'process CPU time',
                          plain_s_per_step=t_hf,
                          mmext_s_per_step=t_mm, mmext_over_plain=t_mm / t_hf,
                          plain_loop_same_module_s_per_step=t_pm,
                          framework_overhead=t_mm / t_pm,
                          peak_mem_gib_both=m_hf), indent=1))


if __name__ == '__main__':
    main()
