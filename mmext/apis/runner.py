"""Config loading and Runner construction for tools/train.py, tools/test.py and HPO trials.

The functions follow mmdet 3.3's tools (same argument meanings) so that mmext configs and
command lines behave like mmdet's, with these additions: inputs are checked before the
Runner is built (:mod:`mmext.apis.inputs`), and distributed runs on CPU-only machines are
configured for gloo (:func:`mmext.compat.use_cpu_distributed_defaults`).
"""
import os
import os.path as osp
import sys
from typing import Callable, Optional

from mmengine.config import Config
from mmengine.runner import Runner

from mmext.compat import use_cpu_distributed_defaults
from mmext.engine.run_card import attach_run_card
from mmext.utils.errors import UserInputError, missing_path_message

from .inputs import check_checkpoint, check_config_inputs


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Load a config file and merge ``--cfg-options`` into it.

    Raises:
        UserInputError: when the file does not exist or cannot be parsed.
    """
    if not osp.isfile(path):
        raise UserInputError(missing_path_message(
            'config file', path, 'Configs live under configs/<family>/, e.g. '
            'configs/thermal/yolox_cpu_synthflir_8e.py.'))
    try:
        cfg = Config.fromfile(path)
    except (SyntaxError, FileNotFoundError, KeyError, ImportError) as err:
        raise UserInputError(f'config file {path!r} could not be loaded: {err}') from None
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def _default_work_dir(config_path: str) -> str:
    return osp.join('./work_dirs', osp.splitext(osp.basename(config_path))[0])


def configure_train(cfg: Config,
                    config_path: str,
                    work_dir: Optional[str] = None,
                    amp: bool = False,
                    resume: Optional[str] = None,
                    launcher: str = 'none') -> Config:
    """Apply tools/train.py's arguments to ``cfg`` (mmdet semantics).

    Args:
        cfg: loaded config.
        config_path: path of the config (default work dir name).
        work_dir: ``--work-dir``; wins over ``cfg.work_dir``.
        amp: ``--amp``: use ``AmpOptimWrapper`` with dynamic loss scaling.
        resume: ``--resume``: ``'auto'`` resumes from the work dir's last checkpoint,
            a path resumes from that file, None starts fresh.
        launcher: ``--launcher``.
    """
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = _default_work_dir(config_path)
    if amp:
        import torch
        if not torch.cuda.is_available():
            raise UserInputError('--amp needs a CUDA GPU: mmengine 0.10.7\'s AmpOptimWrapper '
                                 'refuses to run on CPU; train without --amp here')
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if optim_wrapper == 'AmpOptimWrapper':
            print('AMP training is already enabled in the config.', file=sys.stderr)
        else:
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.loss_scale = 'dynamic'
    if resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif resume is not None:
        check_checkpoint(resume, 'checkpoint to resume (--resume)')
        cfg.resume = True
        cfg.load_from = resume
    use_cpu_distributed_defaults(cfg)
    return cfg


def configure_test(cfg: Config,
                   config_path: str,
                   checkpoint: str,
                   work_dir: Optional[str] = None,
                   out: Optional[str] = None,
                   show_dir: Optional[str] = None,
                   launcher: str = 'none') -> Config:
    """Apply tools/test.py's arguments to ``cfg`` (mmdet semantics).

    ``--show-dir`` switches on the config's ``default_hooks.visualization`` hook
    (``draw=True``, ``test_out_dir=show_dir``), the convention of mmdet's
    ``DetVisualizationHook`` that mmext's visualisation hooks follow. ``--out`` dumps the
    raw predictions to a pickle file.
    """
    check_checkpoint(checkpoint)
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = _default_work_dir(config_path)
    cfg.load_from = checkpoint
    if show_dir is not None:
        hooks = cfg.get('default_hooks') or {}
        if 'visualization' not in hooks:
            raise UserInputError(
                f'--show-dir needs a "visualization" entry in default_hooks of {config_path}')
        hooks['visualization']['draw'] = True
        hooks['visualization']['test_out_dir'] = show_dir
    if out is not None:
        if not out.endswith(('.pkl', '.pickle')):
            raise UserInputError(f'--out must be a .pkl or .pickle file, got {out!r}')
        evaluator = cfg.test_evaluator
        metrics = list(evaluator) if isinstance(evaluator, (list, tuple)) else [evaluator]
        is_det = any('Coco' in str(m.get('type', '')) for m in metrics)
        metrics.append(dict(type='DumpDetResults' if is_det else 'DumpResults',
                            out_file_path=out))
        cfg.test_evaluator = metrics
    use_cpu_distributed_defaults(cfg)
    return cfg


def prepare_experiment(cfg: Config) -> dict:
    """Run a config's pre-training steps (today: ``pseudo_labels``) before the Runner exists.

    Under a launcher the process group is initialised here (the Runner then re-uses it), so
    the step runs on rank 0 while the other ranks wait.

    Returns:
        What the steps produced, e.g. ``{'pseudo_labels': '<path of the COCO json>'}``.
    """
    if not cfg.get('pseudo_labels'):
        return {}
    from mmengine.dist import init_dist, is_distributed
    if cfg.get('launcher', 'none') != 'none' and not is_distributed():
        init_dist(cfg.launcher, **cfg.get('env_cfg', {}).get('dist_cfg', {}))
    from mmext.detection.pseudo_labels import prepare_pseudo_labels
    return {'pseudo_labels': prepare_pseudo_labels(cfg)}


def build_runner(cfg: Config) -> Runner:
    """Build the Runner (or the config's ``runner_type``) from a configured config, with the
    run card hook attached (:mod:`mmext.engine.run_card`)."""
    if 'runner_type' in cfg:
        from mmext.registry import RUNNERS
        runner = RUNNERS.build(cfg)
    else:
        runner = Runner.from_cfg(cfg)
    attach_run_card(runner)  # <work_dir>/run_card*.json (mmext.engine.run_card)
    return runner


def run_cli(main: Callable[[], None]) -> None:
    """Run a tool's ``main`` and report :class:`UserInputError` as one line (exit 2)."""
    os.environ.setdefault('LOCAL_RANK', '0')
    try:
        main()
    except UserInputError as err:
        print(f'error: {err}', file=sys.stderr)
        sys.exit(2)
