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
from mmext.engine.checkpoint_integrity import choose_resume_checkpoint
from mmext.engine.checkpoint_integrity import install as install_checkpoint_integrity
from mmext.engine.hooks.skipped_samples_hook import SkippedSamplesHook
from mmext.engine.run_card import attach_run_card
from mmext.utils.errors import UserInputError, missing_path_message
from mmext.utils.threads import apply_thread_defaults

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
                    launcher: str = 'none',
                    amp_dtype: Optional[str] = None) -> Config:
    """Apply tools/train.py's arguments to ``cfg`` (mmdet semantics).

    Args:
        cfg: loaded config.
        config_path: path of the config (default work dir name).
        work_dir: ``--work-dir``; wins over ``cfg.work_dir``.
        amp: ``--amp``: use ``AmpOptimWrapper`` with dynamic loss scaling.
        resume: ``--resume``: ``'auto'`` resumes from the work dir's last checkpoint,
            a path resumes from that file, None starts fresh.
        launcher: ``--launcher``.
        amp_dtype: ``--amp-dtype``: ``'float16'`` (mmengine's default) or ``'bfloat16'``
            (preferred on A100/H100: no overflow, so no loss scaling is needed); sets
            ``optim_wrapper.dtype``. Needs ``amp``.
    """
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = _default_work_dir(config_path)
    if amp_dtype is not None and not amp:
        raise UserInputError(f'--amp-dtype {amp_dtype} needs --amp')
    if amp_dtype is not None and amp_dtype not in ('float16', 'bfloat16'):
        raise UserInputError(f"--amp-dtype must be 'float16' or 'bfloat16', got {amp_dtype!r}")
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
        if amp_dtype is not None:
            cfg.optim_wrapper.dtype = amp_dtype
    if resume == 'auto':
        cfg.resume = True
        # the newest checkpoint that loads and verifies (skipped ones are reported)
        cfg.load_from = choose_resume_checkpoint(cfg.work_dir) \
            if osp.isdir(cfg.work_dir) else None
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
    """Run the config's pre-training steps before the Runner exists.

    A step is a function registered in :data:`mmext.registry.EXPERIMENT_PREPARERS` under
    the name of the config field that switches it on (the detection family registers
    ``'pseudo_labels'``); it gets the config and may change it. Under a launcher the
    process group is initialised here (the Runner then re-uses it), so a step can run on
    rank 0 while the other ranks wait.

    Returns:
        What the steps produced, e.g. ``{'pseudo_labels': '<path of the COCO json>'}``.
    """
    from mmext.registry import EXPERIMENT_PREPARERS
    EXPERIMENT_PREPARERS.import_from_location()
    steps = [(key, step) for key, step in EXPERIMENT_PREPARERS.module_dict.items()
             if cfg.get(key)]
    if not steps:
        return {}
    from mmengine.dist import init_dist, is_distributed
    if cfg.get('launcher', 'none') != 'none' and not is_distributed():
        init_dist(cfg.launcher, **cfg.get('env_cfg', {}).get('dist_cfg', {}))
    return {key: step(cfg) for key, step in steps}


def build_runner(cfg: Config) -> Runner:
    """Build the Runner (or the config's ``runner_type``) from a configured config.

    Checkpoints are then saved atomically with checksums and checked when loaded
    (:mod:`mmext.engine.checkpoint_integrity`), skipped samples are written to
    ``skipped.json``, the main process's CPU threads are limited
    (:mod:`mmext.utils.threads`) and the run card hook is attached
    (:mod:`mmext.engine.run_card`).
    """
    install_checkpoint_integrity()
    apply_thread_defaults(cfg)  # workers + compute threads <= cores (mmext.utils.threads)
    if 'runner_type' in cfg:
        from mmext.registry import RUNNERS
        runner = RUNNERS.build(cfg)
    else:
        runner = Runner.from_cfg(cfg)
    runner.register_hook(SkippedSamplesHook())  # writes <work_dir>/skipped.json
    attach_run_card(runner)  # <work_dir>/run_card*.json (mmext.engine.run_card)
    return runner


def run_cli(main: Callable[[], None]) -> None:
    """Run a tool's ``main`` and report :class:`UserInputError` as one line (exit 2)."""
    os.environ.setdefault('LOCAL_RANK', '0')
    try:
        main()
    except UserInputError as err:
        print(f'error: {_one_line_message(err)}', file=sys.stderr)
        sys.exit(2)


def _one_line_message(err: UserInputError) -> str:
    """The error's own message, also when a DataLoader worker wrapped it in its traceback
    (``Caught X in DataLoader worker process 0. Original Traceback ... X: message``)."""
    text = str(err)
    if 'Original Traceback' not in text:
        return text
    prefix = f'{type(err).__module__}.{type(err).__name__}: '
    for line in reversed(text.splitlines()):
        if line.startswith(prefix) or line.startswith(f'{type(err).__name__}: '):
            return line.split(': ', 1)[1]
    return text.strip().splitlines()[-1]
