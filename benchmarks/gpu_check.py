"""One-GPU check of every family at its real size: throughput, memory, AMP, framework cost.

Usage::

    python benchmarks/gpu_check.py                   # one H100/H200; planned < 8 min
    python benchmarks/gpu_check.py --dry             # CPU, tiny sizes, same code (CI)
    python benchmarks/gpu_check.py --only thermal    # some families only

For each family's real-size model (random weights, random inputs of the real shapes) it runs
a few dozen training iterations (inference for the YOLOX-x teacher and SAM 2) and prints
one table: images/s in float32 and with AMP, the AMP speed-up, peak GPU memory, and the
ratio of the framework's throughput (mmengine's ``model.train_step`` with ``OptimWrapper`` /
``AmpOptimWrapper``, as the Runner does; for inference ``model.test_step`` and mmext's
``SAM2PseudoLabeler``) to a plain PyTorch loop over the same modules (``data_preprocessor``,
``forward(mode='loss')``, ``backward``, ``torch.amp.GradScaler``, optimizer). A ratio near 1
means the framework adds no cost. It then runs the tests marked ``cuda`` (NMS on CUDA equal to
CPU, an AMP step per family, checkpoint save/resume on the GPU).

``--dry`` runs the same code on CPU at tiny sizes (AMP = bfloat16 CPU autocast;
``AmpOptimWrapper`` is let through on CPU there), so it cannot rot; it is in the default test
suite. Timings of a dry run mean nothing.
"""
import argparse
import contextlib
import importlib.util
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional

import numpy as np
import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

import mmext  # noqa: E402,F401  (compat workarounds, registries)

CUDA_TEST_FILES = ['tests/test_mmcv_ops_fallback.py', 'tests/test_cuda.py']


# ---------------------------------------------------------------------------- the cases ----
class Case:
    """One row: a model, a batch of its real shapes, and how to run it."""

    def __init__(self, family: str, what: str, kind: str, model=None, data=None,
                 images: int = 1, call: Optional[Callable] = None,
                 plain_call: Optional[Callable] = None, note: str = '') -> None:
        self.family, self.what, self.kind = family, what, kind  # kind: train | infer | skip
        self.model, self.data, self.images = model, data, images
        self.call, self.plain_call, self.note = call, plain_call, note


def _model_cfg(config: str):
    from mmengine.config import Config
    return Config.fromfile(osp.join(ROOT, config)).model


def _build(cfg):
    from mmext.registry import MODELS
    return MODELS.build(cfg)


def _u8(g, *shape):
    return torch.randint(0, 256, shape, dtype=torch.uint8, generator=g)


def case_food(dry: bool, g) -> Case:
    """Depth Anything V2 Metric ViT-L at 518 with every food loss (volume mix config)."""
    from mmengine.structures import BaseDataElement
    cfg = _model_cfg('configs/food/dav2_metric_indoor_large_volume_mix_nutrition5k.py')
    cfg.pretrained = None  # random weights
    size, batch = (56, 2) if dry else (518, 4)
    if dry:
        cfg.backbone = dict(type='DINOv2Backbone', arch=None, hidden_size=32, num_layers=4,
                            num_heads=2, out_indices=[0, 1, 2, 3], image_size=56)
        cfg.decode_head.update(in_channels=32, features=16, out_channels=[8, 16, 32, 32])
        for loss in cfg.losses:
            if 'ring_width' in loss:
                loss.update(ring_inner=1, ring_width=4)
    samples = []
    for i in range(batch):
        s = BaseDataElement(metainfo=dict(dish_id=f'dish_{i}'))
        depth = torch.full((1, size, size), 0.36)
        mask = torch.zeros(1, size, size, dtype=torch.bool)
        mask[:, size // 3:size // 2, size // 3:2 * size // 3] = True
        depth[mask] = 0.33
        s.gt_depth, s.food_mask = depth, mask
        f = 1.1 * size
        s.K = torch.tensor([[f, 0, (size - 1) / 2], [0, f, (size - 1) / 2], [0, 0, 1]])
        s.gt_volume = torch.tensor(3e-5)
        samples.append(s)
    data = dict(inputs=[_u8(g, 3, size, size) for _ in range(batch)], data_samples=samples)
    return Case('food', f'DAV2 Metric ViT-L {size}x{size}, b{batch}', 'train', _build(cfg),
                data, batch)


def case_unidepth(dry: bool, g) -> Case:
    if importlib.util.find_spec('unidepth') is None:
        return Case('food', 'UniDepth V2 ViT-L', 'skip',
                    note='unidepth not installed (not on PyPI)')
    return Case('food', 'UniDepth V2 ViT-L', 'skip',
                note='installed, but this check has no UniDepth case yet')


def case_selfsup(dry: bool, g) -> Case:
    """FUMET (monodepth2 + metric terms), ResNet-18 at 640x192, 3 frames."""
    from mmengine.structures import BaseDataElement
    cfg = _model_cfg('configs/selfsup/fumet_r18_kitti-eigen-zhou_640x192_40e.py')
    (W, H), batch = ((128, 64), 2) if dry else ((640, 192), 12)
    if dry:
        r18 = dict(type='ResNet', depth=18, base_channels=8, init_cfg=None)
        cfg.depth_encoder.backbone = dict(r18, in_channels=3)
        cfg.depth_decoder.num_ch_dec = (4, 8, 8, 16, 16)
        cfg.pose_net.update(hidden=16)
        cfg.pose_net.encoder.backbone = dict(r18, in_channels=6)
        cfg.object_filter.min_area = 4
    for part in (cfg.depth_encoder.backbone, cfg.pose_net.encoder.backbone):
        part['init_cfg'] = None  # random weights
    model = _build(cfg)
    if hasattr(model, 'camera_height_target'):
        model.camera_height_target.fill_(1.65)  # as after the first camera-height estimate
    samples = []
    for _ in range(batch):
        road = torch.zeros(H, W, dtype=torch.bool)
        road[H // 2 + 2:] = True
        imap = torch.zeros(H, W, dtype=torch.long)
        imap[H // 3:2 * H // 3, W // 3:W // 3 + W // 8] = 1
        samples.append(BaseDataElement(
            K=torch.tensor([[0.58 * W, 0, W / 2], [0, 1.92 * H, H / 2], [0, 0, 1.]]),
            road_mask=road, instance_map=imap, instance_labels=torch.tensor([0]),
            instance_heights=torch.tensor([1.5]),  # per-instance height (mask file)
            gt_depth=torch.full((2 * H, 2 * W), 5.0)))
    frames = [_u8(g, 3, 3, H, W) for _ in range(batch)]
    data = dict(inputs=dict(frames=frames, frames_aug=frames), data_samples=samples)
    return Case('selfsup', f'FUMET R18 {W}x{H}, 3 frames, b{batch}', 'train', model, data,
                batch)


def _yolox(dry: bool, num_classes: int):
    cfg = _model_cfg('configs/thermal/yolox_x_flir-thermal-gt_100e.py')
    cfg.data_preprocessor.pop('batch_augments', None)  # fixed shapes for timing
    cfg.bbox_head.num_classes = num_classes
    if dry:
        cfg.backbone.update(deepen_factor=0.33, widen_factor=0.125)
        cfg.neck.update(in_channels=[32, 64, 128], out_channels=32, num_csp_blocks=1)
        cfg.bbox_head.update(in_channels=32, feat_channels=32)
    return _build(cfg)


def _det_batch(g, batch, H, W, with_gt=True):
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    samples = []
    for _ in range(batch):
        s = DetDataSample(metainfo=dict(img_shape=(H, W), ori_shape=(H, W), pad_shape=(H, W),
                                        scale_factor=(1., 1.), img_id=0))
        if with_gt:
            xy = torch.rand(6, 2, generator=g) * torch.tensor([W * 0.7, H * 0.7])
            wh = torch.rand(6, 2, generator=g) * torch.tensor([W * 0.25, H * 0.25]) + 8
            s.gt_instances = InstanceData(bboxes=torch.cat([xy, xy + wh], 1),
                                          labels=torch.randint(0, 3, (6, ), generator=g))
        samples.append(s)
    return dict(inputs=[_u8(g, 3, H, W) for _ in range(batch)], data_samples=samples)


def case_thermal(dry: bool, g) -> Case:
    """YOLOX-x student training at 640 (thermal frames 640x512 padded to 640x640)."""
    size, batch = (128, 2) if dry else (640, 8)
    model = _yolox(dry, num_classes=3)
    return Case('thermal', f'YOLOX-x {size}x{size}, b{batch}', 'train', model,
                _det_batch(g, batch, size, size), batch)


def case_teacher(dry: bool, g) -> Case:
    """COCO YOLOX-x teacher inference (test_step: preprocessing, forward, NMS)."""
    size, batch = (128, 2) if dry else (640, 8)
    model = _yolox(dry, num_classes=80)
    model.test_cfg.score_thr = 0.0  # random weights: keep NMS busy with many boxes
    data = _det_batch(g, batch, size, size, with_gt=False)

    def plain(m, d):
        d = m.data_preprocessor(d, False)
        return m(**d, mode='predict')

    return Case('thermal', f'YOLOX-x teacher inference {size}x{size}, b{batch}', 'infer',
                model, data, batch, call=lambda m, d: m.test_step(d), plain_call=plain)


SAM2_TINY = [
    '++model.image_size=128', '++model.image_encoder.trunk.embed_dim=16',
    '++model.image_encoder.trunk.num_heads=1', '++model.image_encoder.trunk.stages=[1,1,2,1]',
    '++model.image_encoder.trunk.global_att_blocks=[3]',
    '++model.image_encoder.trunk.window_pos_embed_bkg_spatial_size=[4,4]',
    '++model.image_encoder.trunk.window_spec=[4,4,4,4]',
    '++model.image_encoder.neck.backbone_channel_list=[128,64,32,16]']


def case_sam2(dry: bool, g, device: str) -> Case:
    """SAM 2.1 hiera-L refining 20 boxes on one 640x512 frame (all boxes in one call)."""
    if importlib.util.find_spec('sam2') is None:
        return Case('thermal', 'SAM 2 hiera-L refinement', 'skip', note='sam2 not installed')
    from mmext.detection.pseudo_labels.mask_backends import Sam2PackageBackend
    from mmext.detection.pseudo_labels.sam2_labeler import SAM2PseudoLabeler
    config = 'configs/sam2.1/sam2.1_hiera_' + ('t' if dry else 'l') + '.yaml'
    backend = Sam2PackageBackend(config, checkpoint=None, device=device,
                                 hydra_overrides=SAM2_TINY if dry else ())
    labeler = SAM2PseudoLabeler(backend=backend, iou_thr=0.5, min_area=16)
    H, W = (128, 160) if dry else (512, 640)
    image = _u8(g, H, W, 3).numpy()
    xy = np.random.default_rng(0).uniform([0, 0], [W * 0.7, H * 0.7], (20, 2))
    boxes = np.concatenate([xy, xy + np.random.default_rng(1).uniform(10, 80, (20, 2))], 1)

    def framework(m, d):
        return labeler.refine(image, boxes)

    def plain(m, d):
        p = backend.predictor
        p.set_image(image)
        return p.predict(box=boxes, multimask_output=False)

    return Case('thermal', f'SAM 2.1 hiera-{"T tiny" if dry else "L"} refine 20 boxes '
                f'{W}x{H}', 'infer', backend.predictor.model, None, 1, call=framework,
                plain_call=plain)


def case_slots(dry: bool, g) -> Case:
    """DINOSAUR with a frozen DINOv2 ViT-S/14 at 224 (random weights), 7 slots."""
    from mmengine.structures import BaseDataElement
    cfg = _model_cfg('configs/slots/dinosaur_dinov2-vits14_movi-c_224.py')
    if dry:
        size, batch, dim, patch = 32, 2, 32, 8
        hf = dict(model_type='dinov2', hidden_size=dim, num_hidden_layers=2,
                  num_attention_heads=2, mlp_ratio=2, image_size=size, patch_size=patch)
    else:
        size, batch, dim, patch = 224, 64, 384, 14
        hf = dict(model_type='dinov2', hidden_size=dim, num_hidden_layers=12,
                  num_attention_heads=6, mlp_ratio=4, image_size=518, patch_size=patch)
    cfg.backbone = dict(type='FrozenViTBackbone', source='transformers', hf_config=hf,
                        layer='last_block')
    cfg.encoder.update(in_dim=dim, projection_hidden_dim=dim)
    cfg.decoder.update(out_dim=dim, num_patches=(size // patch) ** 2)
    if dry:
        cfg.decoder.update(hidden_dim=32)
    samples = [BaseDataElement(metainfo=dict(video_id=f'v{i}', start=0)) for i in range(batch)]
    data = dict(inputs=[_u8(g, 1, 3, size, size) for _ in range(batch)], data_samples=samples)
    return Case('slots', f'DINOSAUR DINOv2 ViT-S/14 {size}x{size}, b{batch}', 'train',
                _build(cfg), data, batch)


FAMILIES = {
    'food': [case_food, case_unidepth],
    'selfsup': [case_selfsup],
    'thermal': [case_thermal, case_teacher, case_sam2],
    'slots': [case_slots],
}


# --------------------------------------------------------------------------- the timing ----
def _sync(device):
    if device == 'cuda':
        torch.cuda.synchronize()


@contextlib.contextmanager
def _amp_wrapper_allowed_on_cpu(dry: bool):
    """--dry only: mmengine 0.10.7's AmpOptimWrapper refuses CPUs; let it build there."""
    if not dry:
        yield
        return
    from mmengine.optim.optimizer import amp_optimizer_wrapper as amp_mod
    original = amp_mod.is_cuda_available
    amp_mod.is_cuda_available = lambda: True
    try:
        with __import__('warnings').catch_warnings():
            __import__('warnings').simplefilter('ignore')  # GradScaler: no CUDA, disabled
            yield
    finally:
        amp_mod.is_cuda_available = original


def _optim_wrapper(model, amp: bool, dtype: str, dry: bool):
    from mmengine.optim import build_optim_wrapper
    cfg = dict(type='AmpOptimWrapper', dtype=dtype, loss_scale='dynamic') if amp else \
        dict(type='OptimWrapper')
    cfg['optimizer'] = dict(type='AdamW', lr=1e-6, weight_decay=0.01)
    with _amp_wrapper_allowed_on_cpu(dry):
        return build_optim_wrapper(model, cfg)


def _plain_train_step(model, data, opt, scaler, amp, device, dtype):
    data = model.data_preprocessor(data, True)
    with torch.autocast(device, dtype=getattr(torch, dtype), enabled=amp):
        losses = model(**data, mode='loss')
    loss = sum(v for k, v in losses.items() if 'loss' in k)
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    opt.zero_grad(set_to_none=True)
    return loss


def _timed(fn, iters: int, warmup: int, device: str) -> Dict[str, float]:
    for _ in range(warmup):
        fn()
    _sync(device)
    if device == 'cuda':
        torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    for _ in range(iters):
        fn()
    _sync(device)
    sec = (time.perf_counter() - t0) / iters
    mem = torch.cuda.max_memory_allocated() / 2 ** 30 if device == 'cuda' else float('nan')
    return dict(sec=sec, mem=mem)


def run_case(case: Case, device: str, iters: int, warmup: int, dtype: str,
             dry: bool) -> Dict[str, float]:
    """Time a case: framework fp32, framework AMP, plain AMP."""
    model = case.model.to(device)
    out = {}
    if case.kind == 'train':
        model.train()
        for amp in (False, True):
            ow = _optim_wrapper(model, amp, dtype, dry)
            with _amp_wrapper_allowed_on_cpu(dry):
                out['amp' if amp else 'fp32'] = _timed(
                    lambda: model.train_step(case.data, ow), iters, warmup, device)
        opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-6,
                                weight_decay=0.01)
        scaler = torch.amp.GradScaler(device, enabled=(dtype == 'float16' and not dry))
        out['plain'] = _timed(lambda: _plain_train_step(model, case.data, opt, scaler, True,
                                                        device, dtype),
                              iters, warmup, device)
    else:
        model.eval()
        call = case.call

        def run(fn, amp):
            with torch.no_grad(), torch.autocast(device, dtype=getattr(torch, dtype),
                                                 enabled=amp):
                fn(model, case.data)

        out['fp32'] = _timed(lambda: run(call, False), iters, warmup, device)
        out['amp'] = _timed(lambda: run(call, True), iters, warmup, device)
        out['plain'] = _timed(lambda: run(case.plain_call, True), iters, warmup, device)
    model.to('cpu')
    if device == 'cuda':
        torch.cuda.empty_cache()
    return out


def format_table(rows: List[dict]) -> str:
    head = ('| family | model, input | mode | fp32 img/s | AMP img/s | AMP speed-up | '
            'peak mem fp32 / AMP (GiB) | framework / plain PyTorch (AMP) | s |')
    lines = [head, '|' + '---|' * 9]
    for r in rows:
        if r['kind'] == 'skip':
            lines.append(f"| {r['family']} | {r['what']} | - | - | - | - | - | - | "
                         f"{r['note']} |")
            continue
        t = r['times']
        ips = {k: r['images'] / v['sec'] for k, v in t.items()}
        lines.append(
            f"| {r['family']} | {r['what']} | {r['kind']} | {ips['fp32']:.1f} | "
            f"{ips['amp']:.1f} | {t['fp32']['sec'] / t['amp']['sec']:.2f}x | "
            f"{t['fp32']['mem']:.2f} / {t['amp']['mem']:.2f} | "
            f"{ips['amp'] / ips['plain']:.3f} | {r['wall']:.0f} |")
    return '\n'.join(lines)


def run_cuda_tests(dry: bool) -> int:
    """The tests marked ``cuda`` (they skip themselves without a GPU)."""
    cmd = [sys.executable, '-m', 'pytest', '-q', '-m', 'cuda', '-p', 'no:cacheprovider'] + \
        CUDA_TEST_FILES
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
    print('$ ' + ' '.join(cmd[1:]), flush=True)
    return subprocess.run(cmd, cwd=ROOT, env=env, timeout=900).returncode


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--dry', action='store_true',
                        help='CPU, tiny sizes, 1 iteration (checks the code, not the speed)')
    parser.add_argument('--only', nargs='+', choices=sorted(FAMILIES), default=None)
    parser.add_argument('--iters', type=int, default=None, help='timed iterations (20)')
    parser.add_argument('--warmup', type=int, default=None, help='untimed iterations (5)')
    parser.add_argument('--amp-dtype', choices=['bfloat16', 'float16'], default='bfloat16')
    parser.add_argument('--skip-tests', action='store_true', help='table only')
    parser.add_argument('--out', help='also write the table (markdown) to this file')
    args = parser.parse_args(argv)
    from mmengine.registry import DefaultScope
    if DefaultScope.get_current_instance() is None:
        DefaultScope.get_instance('mmext_gpu_check', scope_name='mmext')
    if args.dry:
        device, iters, warmup, dtype = 'cpu', args.iters or 1, args.warmup or 0, 'bfloat16'
    else:
        if not torch.cuda.is_available():
            print('error: no CUDA GPU; use --dry to check the code on CPU', file=sys.stderr)
            return 2
        device, iters, warmup, dtype = 'cuda', args.iters or 20, args.warmup or 5, \
            args.amp_dtype
        torch.backends.cudnn.benchmark = True
    gpu = torch.cuda.get_device_name(0) if device == 'cuda' else 'CPU (dry run)'
    print(f'# gpu_check: {gpu}, torch {torch.__version__}, AMP {dtype}, {iters} timed + '
          f'{warmup} warm-up iterations per measurement', flush=True)
    rows, t_start = [], time.perf_counter()
    for family in args.only or sorted(FAMILIES):
        for make in FAMILIES[family]:
            g = torch.Generator().manual_seed(0)
            t0 = time.perf_counter()
            case = make(args.dry, g, device) if make is case_sam2 else make(args.dry, g)
            row = dict(family=case.family, what=case.what, kind=case.kind, note=case.note,
                       images=case.images)
            if case.kind != 'skip':
                row['times'] = run_case(case, device, iters, warmup, dtype, args.dry)
            row['wall'] = time.perf_counter() - t0
            rows.append(row)
            print(f'  done: {case.family} / {case.what} ({row["wall"]:.1f} s)', flush=True)
    table = format_table(rows)
    print(table)
    print(f'total {time.perf_counter() - t_start:.0f} s', flush=True)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(table + '\n')
    if args.skip_tests:
        return 0
    return run_cuda_tests(args.dry)


if __name__ == '__main__':
    sys.exit(main())
