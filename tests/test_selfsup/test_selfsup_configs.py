"""Every selfsup config parses and builds its model; the synthetic pair differs only by the
metric terms; the tiny FUMET config trains, tests and draws through the tools."""
import copy
import glob
import json
import os.path as osp

import pytest
from mmengine.config import Config

from mmext.registry import MODELS
from tests._helpers.selfsup_toy import write_selfsup_toy_config
from tests._helpers.tools import TEST, TRAIN, run_tool

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', 'selfsup', '*.py')))


def _no_download(model_cfg):
    m = copy.deepcopy(model_cfg)
    m.depth_encoder.pretrained = None
    m.pose_net.encoder.pretrained = None
    return m


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmext'
    model = MODELS.build(_no_download(cfg.model))
    assert model.frame_ids == (0, -1, 1)
    ev = cfg.val_evaluator if isinstance(cfg.val_evaluator, list) else [cfg.val_evaluator]
    depth = [e for e in ev if e['type'] == 'DepthMetric'][0]
    assert (depth['crop'], depth['max_depth'], depth['median_scaling']) == ('garg', 80.0, 'both')
    if 'fumet' in path:
        hooks = [h['type'] for h in cfg.custom_hooks]
        assert hooks == ['SetEpochInfoHook', 'CameraHeightHook']
        assert model.object_height_loss is not None and model.camera_height_loss is not None
        assert model.depth_output.type == 'softplus'
        assert cfg.custom_hooks[1]['dataloader']['sampler']['round_up'] is False


def test_synthetic_pair_differs_only_by_the_metric_terms():
    base = Config.fromfile(osp.join(ROOT, 'configs/selfsup/monodepth2_r18c16_synthkitti_256x96_cpu.py'))
    fumet = Config.fromfile(osp.join(ROOT, 'configs/selfsup/fumet_r18c16_synthkitti_256x96_cpu.py'))
    for key in ('train_dataloader', 'optim_wrapper', 'train_cfg', 'param_scheduler'):
        assert base[key] == fumet[key], key
    for key in ('depth_encoder', 'depth_decoder', 'pose_net', 'depth_output',
                'photometric_loss', 'smoothness_loss'):
        assert base.model[key] == fumet.model[key], key


def test_tiny_fumet_trains_tests_and_draws(tmp_path, kitti_synth):
    root, _ = kitti_synth
    cfg = write_selfsup_toy_config(str(tmp_path / 'tiny.py'), root, max_epochs=1)
    work = str(tmp_path / 'work')
    code, err = run_tool(TRAIN, cfg, '--work-dir', work)
    assert code == 0, err
    with open(osp.join(work, 'camera_height.json')) as f:
        hist = json.load(f)['history']
    assert len(hist) == 1 and hist[0]['frames'] == 3
    assert osp.exists(osp.join(work, 'camera_height.png'))
    out = str(tmp_path / 'preds.pkl')
    code, err = run_tool(TEST, cfg, osp.join(work, 'epoch_1.pth'), '--work-dir', work,
                         '--show-dir', 'panels', '--out', out)
    assert code == 0, err
    panels = glob.glob(osp.join(work, '*', 'panels', '*.png'))
    assert len(panels) == 4                                   # the 4 test frames
    metrics = glob.glob(osp.join(work, '*', '*.json'))
    assert any('camera_height/median' in open(m).read() for m in metrics)
