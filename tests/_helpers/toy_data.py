"""Small data sets for tool-level tests, generated in the real on-disk layouts."""
import os.path as osp

from mmext.synthetic.flir import SyntheticFLIRSpec, generate_synthetic_flir

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO_CFG = osp.join(REPO, 'configs', 'thermal', 'yolox_cpu_synthflir_8e.py')


def make_toy_flir(root: str, train: int = 8, val: int = 4) -> str:
    """Write a tiny synthetic FLIR-layout set (small frames) and return its root."""
    spec = SyntheticFLIRSpec(splits={'train': train, 'val': val}, thermal_size=(160, 128),
                             rgb_size=(200, 160), objects_per_image=(1, 3), seed=3)
    generate_synthetic_flir(root, spec)
    return root


def write_toy_config(path: str, data_root: str, max_epochs: int = 2,
                     extra: str = '', with_val: bool = False) -> str:
    """Write a config inheriting the demo config, pointed at a toy set and made tiny.

    The LR schedule does not depend on ``max_epochs`` so a 1-epoch run followed by a
    2-epoch resume follows the same schedule as one 2-epoch run.
    """
    r = data_root.rstrip('/') + '/'
    no_val = 'val_cfg = None\nval_dataloader = None\nval_evaluator = None\n'
    text = f"""
_base_ = {DEMO_CFG!r}
train_cfg = dict(max_epochs={max_epochs}, val_interval=100)
train_dataloader = dict(batch_size=2, num_workers=0,
                        dataset=dict(data_root={r + 'train/'!r}))
val_dataloader = dict(batch_size=2, num_workers=0, dataset=dict(data_root={r + 'val/'!r}))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file={r + 'val/thermal_annotations.json'!r})
test_evaluator = val_evaluator
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=1, save_best=None, max_keep_ckpts=-1))
param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=3)]
randomness = dict(seed=0, deterministic=True)
visualizer = dict(vis_backends=[dict(type='LocalVisBackend')])
{'' if with_val else no_val}{extra}
"""
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path
