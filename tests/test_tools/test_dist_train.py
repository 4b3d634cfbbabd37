"""tools/dist_train.sh really trains with 2 processes (CPU, gloo) and keeps ranks in sync."""
import glob
import os
import os.path as osp
import subprocess
import sys

import torch

from tests._helpers.toy_data import DEMO_CFG, REPO, make_toy_flir, write_toy_config


def test_dist_train_two_processes_cpu(tmp_path):
    data = make_toy_flir(str(tmp_path / 'data'), train=8, val=2)
    dump_dir = str(tmp_path / 'ranks')
    cfg = write_toy_config(
        str(tmp_path / 'toy_ddp.py'), data, max_epochs=1,
        extra=("custom_imports = dict(imports=['tests._helpers.rank_dump_hook'], "
               "allow_failed_imports=False)\n"
               f"custom_hooks = [dict(type='RankDumpHook', out_dir={dump_dir!r})]\n"))
    work_dir = str(tmp_path / 'work')
    env = dict(os.environ, PYTHON=sys.executable, PORT='29517', OMP_NUM_THREADS='1',
               PYTHONPATH=REPO)
    proc = subprocess.run(
        ['bash', osp.join(REPO, 'tools', 'dist_train.sh'), cfg, '2', '--work-dir', work_dir],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    ranks = [torch.load(osp.join(dump_dir, f'rank{r}.pt')) for r in (0, 1)]
    assert [r['world_size'] for r in ranks] == [2, 2]
    # both ranks trained: 8 images, batch 2 per rank -> 2 iterations each, disjoint halves
    assert [r['iters'] for r in ranks] == [2, 2]
    ids0, ids1 = set(ranks[0]['img_ids']), set(ranks[1]['img_ids'])
    assert len(ids0) == 4 and len(ids1) == 4 and not ids0 & ids1
    # gradients were all-reduced: different data, identical parameters afterwards
    p0, p1 = ranks[0]['params'], ranks[1]['params']
    assert p0.keys() == p1.keys()
    for k in p0:
        assert torch.equal(p0[k], p1[k]), f'parameter {k} differs between ranks'
    # and training changed them (not a no-op run)
    ckpts = glob.glob(osp.join(work_dir, '*.pth'))
    assert [osp.basename(c) for c in ckpts] == ['epoch_1.pth']
    state = torch.load(ckpts[0], map_location='cpu')['state_dict']
    assert 'backbone.stem.conv.conv.weight' in state


def test_dist_train_generates_pseudo_labels_once(tmp_path):
    """Under DDP the pseudo-label step runs on rank 0; both ranks train on its output."""
    data = make_toy_flir(str(tmp_path / 'data'), train=8, val=2)
    pseudo = osp.join(REPO, 'configs', 'thermal', 'yolox_cpu_synthflir-pseudo-rgbgt-otsu_8e.py')
    cfg = write_toy_config(str(tmp_path / 'toy_pl.py'), data, max_epochs=1, extra=(
        f"_base_ = [{pseudo!r}]\n"
        f"pseudo_labels = dict(source=dict(data_root={data + '/train/'!r}),\n"
        f"    teacher=dict(ann_file={data + '/train/rgb_annotations.json'!r}),\n"
        f"    rgb_to_thermal={data + '/rgb_to_thermal_homography.json'!r})\n"))
    text = open(cfg).read().replace(f"_base_ = {DEMO_CFG!r}\n", '', 1)
    with open(cfg, 'w') as f:
        f.write(text)
    work_dir = str(tmp_path / 'work')
    env = dict(os.environ, PYTHON=sys.executable, PORT='29519', OMP_NUM_THREADS='1',
               PYTHONPATH=REPO)
    proc = subprocess.run(
        ['bash', osp.join(REPO, 'tools', 'dist_train.sh'), cfg, '2', '--work-dir', work_dir],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    made = glob.glob(osp.join(work_dir, 'pseudo_labels', '*', 'pseudo_coco.json'))
    assert len(made) == 1
    assert not glob.glob(osp.join(work_dir, 'pseudo_labels', '*', 'partial.jsonl'))
    assert osp.exists(osp.join(work_dir, 'epoch_1.pth'))
