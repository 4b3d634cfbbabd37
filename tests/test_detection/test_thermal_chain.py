"""Every shipped thermal config's pseudo-label chain runs as a user runs it (the step
tools/train.py runs before training), on tiny random stand-ins of the same types, in the
real FLIR v1.3 and v2 layouts: an mmdet YOLOX teacher from an mmdet config + checkpoint,
SAM 2 of the sam2 package's config class (random weights in a checkpoint), transformers'
SAM 2, and the weight-free backend. Then the student trains for one iteration."""
import glob
import json
import os.path as osp
from collections import Counter

import pytest
from mmengine.config import Config

from mmext.apis import prepare_experiment
from mmext.synthetic.flir import (SyntheticFLIRSpec, generate_synthetic_flir,
                                  generate_synthetic_flir_v2)
from tests._helpers import thermal_standins as standins
from tests._helpers.tools import REPO

PSEUDO_CONFIGS = sorted(p for p in glob.glob(osp.join(REPO, 'configs', 'thermal', '*.py'))
                        if 'pseudo_labels' in Config.fromfile(p))
# One config per distinct chain in the default suite (about 9 s each); the variants that
# differ only in losses, thresholds or model size run with -m slow.
DEFAULT_SUITE = {'yolox_x_sam2_pseudo.py', 'yolox_x_flirv2_sam2_pseudo.py',
                 'yolox_s_sam2_pseudo_2cls_final.py',
                 'yolox_cpu_synthflir-pseudo-teacher-otsu_8e.py'}
CASES = [pytest.param(p, id=osp.basename(p), marks=() if osp.basename(p) in DEFAULT_SUITE
                      else pytest.mark.slow) for p in PSEUDO_CONFIGS]


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    """Tiny FLIR v1.3 and v2 sets at the config's data paths, and the stand-in models."""
    root = tmp_path_factory.mktemp('thermal_chain')
    spec = dict(thermal_size=(160, 128), rgb_size=(200, 160), objects_per_image=(1, 3),
                seed=5)
    v1 = str(root / 'FLIR_ADAS_1_3')
    generate_synthetic_flir(v1, SyntheticFLIRSpec(splits={'train': 4, 'val': 2}, **spec))
    v2 = str(root / 'FLIR_ADAS_v2')
    generate_synthetic_flir_v2(v2, SyntheticFLIRSpec(
        splits={'train': 3, 'val': 2, 'video': 4}, **spec))
    teacher_cfg, teacher_ckpt = standins.write_mmdet_teacher(str(root))
    return dict(root=str(root), v1=v1, v2=v2, teacher_cfg=teacher_cfg,
                teacher_ckpt=teacher_ckpt, sam2_ckpts={}, hf=None)


def _retarget(obj, prefixes):
    """Replace data-path prefixes in every string of a config (dicts/lists, recursively)."""
    if isinstance(obj, str):
        for old, new in prefixes.items():
            if obj.startswith(old):
                return new + '/' + obj[len(old):]
        return obj
    if isinstance(obj, dict):
        return {k: _retarget(v, prefixes) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_retarget(v, prefixes) for v in obj)
    return obj


def _stand_in_models(cfg, world, backend_override=None):
    pl = cfg.pseudo_labels
    if pl.teacher.type == 'mmdet':
        pl.teacher.config, pl.teacher.checkpoint = world['teacher_cfg'], world['teacher_ckpt']
        pl.teacher.device = 'cpu'
        pl.score_thr = 0.0  # a random teacher's scores are low: let its boxes through
    pl.max_boxes_per_frame = 6
    if backend_override is not None:
        pl.refiner.backend = backend_override
    backend = (pl.get('refiner') or {}).get('backend')
    if backend and backend['type'] == 'sam2':
        name = backend['config']
        if name not in world['sam2_ckpts']:
            path = osp.join(world['root'], f'sam2_{len(world["sam2_ckpts"])}.pt')
            world['sam2_ckpts'][name] = standins.write_sam2_checkpoint(path, name)
        backend.update(checkpoint=world['sam2_ckpts'][name], device='cpu',
                       hydra_overrides=list(standins.TINY_SAM2_OVERRIDES))
    elif backend and backend['type'] == 'hf':
        if world['hf'] is None:
            world['hf'] = standins.write_hf_sam2(osp.join(world['root'], 'hf_sam2'))
        backend.update(model=world['hf'], device='cpu')


def _load(path, world, tmp_path, backend_override=None):
    cfg = Config.fromfile(path)
    prefixes = {'data/FLIR_ADAS_1_3': world['v1'], 'data/FLIR_ADAS_v2': world['v2'],
                'data/synthetic_flir': world['v1']}
    cfg = Config(_retarget(cfg.to_dict(), prefixes))
    cfg.work_dir = str(tmp_path / 'work')
    if cfg.pseudo_labels.teacher.type == 'coco_file' and not osp.isfile(
            cfg.pseudo_labels.teacher.ann_file):
        pytest.skip('teacher file of another run')
    _stand_in_models(cfg, world, backend_override)
    return cfg


def _run_chain(cfg):
    out = prepare_experiment(cfg)['pseudo_labels']
    with open(out) as f:
        coco = json.load(f)
    with open(osp.join(osp.dirname(out), 'stats.json')) as f:
        stats = json.load(f)
    ds = cfg.train_dataloader.dataset
    ds = ds.get('dataset', ds)
    assert ds.ann_file == osp.abspath(out)
    assert coco['images'], 'no frame was labelled'
    for name in coco['images'][:2]:  # the student reads the labelled frames where they are
        assert osp.isfile(osp.join(ds.data_root, ds.data_prefix.get('img', ''),
                                   name['file_name']))
    return coco, stats


def _train_one_iter(cfg, monkeypatch):
    """Student: same type, shrunk; one training iteration on the pseudo-labels."""
    from mmext.apis import build_runner
    # the Runner logs and dumps the config through yapf: tens of seconds on these configs
    monkeypatch.setattr(Config, 'pretty_text', property(lambda self: '# (not formatted)\n'))
    model = cfg.model
    model.backbone.update(deepen_factor=0.33, widen_factor=0.125)
    model.neck.update(in_channels=[32, 64, 128], out_channels=32, num_csp_blocks=1)
    model.bbox_head.update(in_channels=32, feat_channels=32)
    ds = cfg.train_dataloader.dataset
    if ds.type == 'MultiImageMixDataset':
        ds.pipeline = [dict(type='Resize', scale=(96, 96), keep_ratio=True),
                       dict(type='Pad', size=(96, 96), pad_val=dict(img=(114, 114, 114))),
                       dict(type='PackDetInputs')]
    cfg.train_dataloader.update(batch_size=2, num_workers=0, persistent_workers=False)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=1, val_interval=100)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.test_cfg = cfg.test_dataloader = cfg.test_evaluator = None
    cfg.param_scheduler = []
    cfg.custom_hooks = []
    cfg.auto_scale_lr = dict(enable=False, base_batch_size=64)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1, by_epoch=False)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    cfg.launcher = 'none'
    cfg.load_from = None  # the COCO checkpoint a user cuts with coco_head_to_flir.py
    build_runner(cfg).train()
    assert glob.glob(osp.join(cfg.work_dir, 'iter_1.pth'))


@pytest.mark.parametrize('path', CASES)
def test_shipped_config_pseudo_label_chain(path, world, tmp_path, monkeypatch):
    cfg = _load(path, world, tmp_path)
    coco, stats = _run_chain(cfg)
    refiner = cfg.pseudo_labels.get('refiner')
    counts = Counter()
    for c in stats.values():
        counts.update(c['status'])
    assert sum(counts.values()) > 0 and len(coco['annotations']) == sum(counts.values())
    if refiner:
        assert 'not_refined' not in counts, counts
    else:
        assert set(counts) <= {'not_refined'}
    _train_one_iter(cfg, monkeypatch)


def test_headline_config_with_transformers_backend(world, tmp_path):
    cfg = _load(osp.join(REPO, 'configs', 'thermal', 'yolox_x_sam2_pseudo.py'), world,
                tmp_path, backend_override=dict(type='hf', model='facebook/sam2.1-hiera-large'))
    coco, stats = _run_chain(cfg)
    assert sum(c['count'] for c in stats.values()) > 0


@pytest.mark.slow
def test_headline_chain_with_real_sam2_hiera_tiny(world, tmp_path):
    """The smallest real SAM 2.1 config (hiera-tiny, 1024 px), random weights saved as a
    checkpoint, in the headline chain on the v1.3-layout set."""
    import torch
    from sam2.build_sam import build_sam2
    name = 'configs/sam2.1/sam2.1_hiera_t.yaml'
    ckpt = str(tmp_path / 'sam2.1_hiera_tiny_random.pt')
    torch.manual_seed(0)
    torch.save(dict(model=build_sam2(name, ckpt_path=None, device='cpu').state_dict()), ckpt)
    cfg = _load(osp.join(REPO, 'configs', 'thermal', 'yolox_x_sam2_pseudo.py'), world,
                tmp_path, backend_override=dict(type='sam2', config=name, checkpoint=ckpt,
                                                device='cpu'))
    # the real, unshrunk model and its checkpoint (not the shrunk stand-in)
    cfg.pseudo_labels.refiner.backend.update(checkpoint=ckpt, hydra_overrides=[])
    cfg.pseudo_labels.max_boxes_per_frame = 3
    coco, stats = _run_chain(cfg)
    counts = Counter()
    for c in stats.values():
        counts.update(c['status'])
    assert sum(counts.values()) > 0 and 'not_refined' not in counts
