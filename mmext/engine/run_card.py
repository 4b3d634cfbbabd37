"""The run card: what a work dir's numbers came from, written by every Runner mmext builds.

``build_runner`` (mmext.apis) attaches :class:`RunCardHook` to every Runner, so every work
dir of ``tools/train.py``, ``tools/test.py`` and the optuna trials gets a card:

* ``<work_dir>/run_card.json`` (training), ``run_card_test.json`` / ``run_card_val.json``
  (``runner.test()`` / ``runner.val()``), the latest run of that mode;
* a copy in the run's log dir ``<work_dir>/<timestamp>/run_card.json``, kept per run.

A card holds the git commit and dirty state (with a hash of the uncommitted diff), the
config's path, its full merged text and a seed-neutral hash, the seed and determinism
settings, package versions, the device (CPU model, thread counts, GPU names), the data roots
with a listing fingerprint and the content hashes of the annotation/split files, and, once
the run ends, wall time and peak memory. It is written when the run starts (``status:
running``) and rewritten after each validation/test (``metrics``: the latest metrics
mmengine's evaluator returned) and when it ends (``status: finished``); a crashed run keeps
``running``.

:func:`comparable_fields` is what ``tools/analysis_tools/collect_results.py`` compares before
it averages runs over seeds: everything that may change a number except the seed.
"""
import copy
import datetime
import hashlib
import json
import os
import os.path as osp
import platform
import re
import resource
import subprocess
import sys
import time
from typing import Any, Dict, List, Optional

from mmengine.dist import get_world_size, is_main_process
from mmengine.hooks import Hook

from mmext.registry import HOOKS
from mmext.utils.fingerprint import file_sha256, listing_sha256

CARD_VERSION = 1
CARD_NAMES = dict(train='run_card.json', test='run_card_test.json', val='run_card_val.json')
# Packages whose versions change numbers (import names are not needed: metadata only).
PACKAGES = ('torch', 'torchvision', 'mmengine', 'mmcv', 'mmdet', 'mmpretrain', 'transformers',
            'sam2', 'optuna', 'numpy', 'opencv-python', 'opencv-python-headless',
            'pycocotools', 'scipy')
# Config keys that name data files (hashed) and data folders (listed).
_FILE_KEY = re.compile(r'(^|_)(file|files|split|splits)$')
_DATA_EXT = ('.json', '.txt', '.csv', '.pkl', '.npy', '.npz', '.yaml', '.yml', '.lst')
# Config keys left out of the seed-neutral hash: where the run writes, how it was launched.
_VOLATILE_KEYS = ('work_dir', 'launcher', 'resume')
# Environment variables that select CPU kernels (compared between CPU runs).
_KERNEL_ENV = ('ATEN_CPU_CAPABILITY', 'ONEDNN_MAX_CPU_ISA', 'DNNL_MAX_CPU_ISA', 'MKL_CBWR',
               'OPENCV_CPU_DISABLE')
_ENV_KEYS = ('OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'CUBLAS_WORKSPACE_CONFIG', 'PYTHONHASHSEED',
             'CUDA_VISIBLE_DEVICES') + _KERNEL_ENV


def _utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')


def _run(cmd: List[str], cwd: str) -> Optional[str]:
    try:
        out = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.decode('utf-8', 'replace')


def git_state(repo_dir: Optional[str] = None) -> Dict[str, Any]:
    """Commit, dirty flag and a hash of the uncommitted changes of the mmext checkout.

    ``diff_sha256`` hashes ``git diff HEAD`` (tracked changes) plus the names and contents
    of untracked files that git does not ignore, so two runs with the same uncommitted edits
    get the same value. All None outside a git checkout.
    """
    repo_dir = repo_dir or osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    commit = _run(['git', 'rev-parse', 'HEAD'], repo_dir)
    if commit is None:
        return dict(commit=None, dirty=None, diff_sha256=None, repo=repo_dir)
    diff = _run(['git', 'diff', 'HEAD', '--no-color', '--no-ext-diff'], repo_dir) or ''
    untracked = (_run(['git', 'ls-files', '--others', '--exclude-standard'], repo_dir)
                 or '').split()
    digest = hashlib.sha256(diff.encode())
    for rel in sorted(untracked):
        path = osp.join(repo_dir, rel)
        digest.update(f'\0{rel}\0{file_sha256(path) if osp.isfile(path) else ""}'.encode())
    dirty = bool(diff.strip() or untracked)
    return dict(commit=commit.strip(), dirty=dirty,
                diff_sha256=digest.hexdigest() if dirty else None,
                untracked=len(untracked), repo=repo_dir)


def package_versions(names=PACKAGES) -> Dict[str, Optional[str]]:
    """Installed versions (None when absent), plus mmext's own and Python's."""
    from importlib import metadata
    versions: Dict[str, Optional[str]] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    from mmext.version import __version__
    versions['mmext'] = __version__
    versions['python'] = platform.python_version()
    return versions


def _cpu_model() -> str:
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def device_info() -> Dict[str, Any]:
    """CPU model and thread settings, torch's CPU capability, GPU names (when CUDA is there)."""
    import torch
    info: Dict[str, Any] = dict(
        platform=platform.platform(), machine=platform.machine(), cpu=_cpu_model(),
        cpu_count=os.cpu_count(), torch_threads=torch.get_num_threads(),
        env={k: os.environ[k] for k in _ENV_KEYS if k in os.environ})
    try:
        info['torch_cpu_capability'] = torch.backends.cpu.get_cpu_capability()
    except AttributeError:  # older torch
        info['torch_cpu_capability'] = None
    try:
        import cv2
        info['opencv_threads'] = cv2.getNumThreads()
    except ImportError:
        pass
    if torch.cuda.is_available():
        info['kind'] = 'cuda'
        info['gpus'] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        info['cuda'] = torch.version.cuda
        info['cudnn'] = torch.backends.cudnn.version()
    else:
        info['kind'] = 'cpu'
        info['gpus'] = []
    return info


def _plain(obj: Any) -> Any:
    """JSON-able copy of a config value (tuples -> lists, other objects -> repr)."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    return repr(obj)


def _neutral(obj: Any, seed: Optional[int], work_dirs: List[str]) -> Any:
    """Copy of the plain config without what varies between the seeds of one experiment.

    Drops the volatile keys and ``randomness.seed``, replaces strings that point into the
    work dir by ``'<work_dir>'`` (products of the run, e.g. pseudo-label files), and writes
    the seed-named path parts ``seed<N>`` of the run's seed as ``seed<N>`` (so a pseudo-label
    student of seed 1 that reads the teacher of ``.../seed1/`` compares equal to seed 2's).
    """
    if isinstance(obj, dict):
        return {k: _neutral(v, seed, work_dirs) for k, v in obj.items()
                if k not in _VOLATILE_KEYS}
    if isinstance(obj, list):
        return [_neutral(v, seed, work_dirs) for v in obj]
    if isinstance(obj, str):
        if obj and '\n' not in obj and len(obj) < 4096:
            path = osp.normpath(obj)
            if any(path == wd or path.startswith(wd + os.sep) for wd in work_dirs):
                return '<work_dir>'
        if seed is not None:
            obj = re.sub(rf'(?<![A-Za-z0-9])seed[_-]?{seed}(?![0-9])', 'seed<N>', obj)
    return obj


def config_digest(cfg_dict: dict, seed: Optional[int], work_dir: Optional[str]) -> str:
    """Seed-neutral SHA-256 of a merged config (see :func:`_neutral`)."""
    plain = copy.deepcopy(_plain(cfg_dict))
    randomness = plain.get('randomness')
    if isinstance(randomness, dict):
        randomness.pop('seed', None)
    work_dirs = sorted({osp.normpath(work_dir), osp.abspath(work_dir)}) if work_dir else []
    neutral = _neutral(plain, seed, work_dirs)
    text = json.dumps(neutral, sort_keys=True, separators=(',', ':'))
    return hashlib.sha256(text.encode()).hexdigest()


def _resolve(value: str, data_root: Optional[str]) -> Optional[str]:
    if osp.isfile(value):
        return value
    if data_root and osp.isfile(osp.join(data_root, value)):
        return osp.join(data_root, value)
    return None


def data_fingerprint(cfg_dict: dict, work_dir: Optional[str] = None) -> Dict[str, Any]:
    """Data roots (with a listing fingerprint) and content hashes of the data files a config
    names: keys like ``ann_file``, ``split_file``, ``*_files`` (resolved against the same
    dict's ``data_root`` as mmengine does) and any string naming an existing
    ``.json/.txt/.csv/...`` file. Files inside ``work_dir`` (made by the run, e.g.
    pseudo-labels) are listed under ``derived_files``, not compared.
    """
    roots: Dict[str, Any] = {}
    files: Dict[str, Any] = {}
    derived: Dict[str, Any] = {}
    wd_abs = osp.abspath(work_dir) + os.sep if work_dir else None

    def add_file(path: str) -> None:
        key = osp.normpath(path)
        target = derived if wd_abs and osp.abspath(path).startswith(wd_abs) else files
        if key not in target:
            target[key] = dict(sha256=file_sha256(path), bytes=osp.getsize(path))

    def walk(node: Any, data_root: Optional[str]) -> None:
        if isinstance(node, dict):
            root = node.get('data_root', data_root)
            root = root if isinstance(root, str) else data_root
            if isinstance(node.get('data_root'), str) and osp.normpath(root) not in roots:
                roots[osp.normpath(root)] = listing_sha256(root)
            for key, value in node.items():
                values = value if isinstance(value, list) else [value]
                if _FILE_KEY.search(str(key)) and all(isinstance(v, str) for v in values):
                    for v in values:
                        path = _resolve(v, root)
                        if path:
                            add_file(path)
                else:
                    walk(value, root)
        elif isinstance(node, list):
            for v in node:
                walk(v, data_root)
        elif isinstance(node, str) and node.endswith(_DATA_EXT) and osp.isfile(node):
            add_file(node)

    walk(_plain(cfg_dict), None)
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(f'{path}\0{files[path]["sha256"]}\n'.encode())
    for root in sorted(roots):
        digest.update(f'{root}\0{(roots[root] or {}).get("sha256")}\n'.encode())
    return dict(sha256=digest.hexdigest(), roots=roots, files=files, derived_files=derived)


def peak_memory() -> Dict[str, Optional[float]]:
    """Peak resident memory of this process and of its finished children (MiB), and peak
    CUDA memory allocated/reserved by torch on this process's GPU (MiB, None on CPU)."""
    import torch
    kib = 1.0 if sys.platform != 'darwin' else 1 / 1024  # ru_maxrss: KiB (Linux), B (macOS)
    mem: Dict[str, Optional[float]] = dict(
        cpu_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * kib / 1024, 1),
        children_rss_mib=round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * kib / 1024, 1),
        gpu_allocated_mib=None, gpu_reserved_mib=None)
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        mem['gpu_allocated_mib'] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
        mem['gpu_reserved_mib'] = round(torch.cuda.max_memory_reserved() / 2**20, 1)
    return mem


def build_run_card(cfg, mode: str, seed: Optional[int], work_dir: str,
                   timestamp: Optional[str] = None, deterministic: Optional[bool] = None
                   ) -> Dict[str, Any]:
    """Everything of the card that is known when a run starts.

    Args:
        cfg: the merged mmengine ``Config`` the Runner was built from.
        mode: ``'train'``, ``'test'`` or ``'val'``.
        seed: the seed the Runner set (``runner.seed``).
        work_dir: the run's work dir.
        timestamp: the Runner's timestamp (its log dir name).
        deterministic: ``randomness.deterministic`` as applied.
    """
    cfg_dict = cfg.to_dict() if hasattr(cfg, 'to_dict') else dict(cfg)
    try:
        text = cfg.pretty_text
    except Exception:  # yapf cannot format some configs; the JSON form is as complete
        text = json.dumps(_plain(cfg_dict), indent=1, sort_keys=True)
    randomness = cfg_dict.get('randomness') or {}
    return dict(
        card_version=CARD_VERSION, mode=mode, status='running', started=_utc_now(),
        finished=None, wall_time_s=None, peak_memory=None, metrics=None, metrics_at=None,
        command=[sys.executable] + sys.argv, cwd=os.getcwd(),
        work_dir=work_dir, timestamp=timestamp,
        seed=seed, randomness=dict(deterministic=deterministic,
                                   diff_rank_seed=randomness.get('diff_rank_seed', False)),
        world_size=get_world_size(), launcher=cfg_dict.get('launcher', 'none'),
        resume=bool(cfg_dict.get('resume')), load_from=cfg_dict.get('load_from'),
        git=git_state(), packages=package_versions(), device=device_info(),
        config=dict(path=getattr(cfg, 'filename', None),
                    sha256=config_digest(cfg_dict, seed, work_dir), text=text),
        data=data_fingerprint(cfg_dict, work_dir))


def comparable_fields(card: Dict[str, Any]) -> Dict[str, Any]:
    """What must agree between runs averaged over seeds: all but the seed (and timings).

    On CPU this includes the CPU model, torch's CPU capability, the thread count and the
    kernel-selecting environment variables (each changed the weights of a small conv net in
    a measurement); on GPUs the GPU names.
    """
    packages = dict(card.get('packages') or {})
    device = card.get('device') or {}
    if device.get('kind') == 'cpu':  # CPU kernels and thread counts change CPU numbers
        env = device.get('env') or {}
        device_key = [device.get('kind'), device.get('cpu'), device.get('torch_cpu_capability'),
                      device.get('torch_threads')] + [env.get(k) for k in _KERNEL_ENV]
    else:
        device_key = [device.get('kind'), device.get('gpus')]
    return {
        'config': (card.get('config') or {}).get('sha256'),
        'mode': card.get('mode'),
        'git commit': (card.get('git') or {}).get('commit'),
        'uncommitted changes': (card.get('git') or {}).get('diff_sha256'),
        'packages': packages,
        'data': (card.get('data') or {}).get('sha256'),
        'device (GPUs; on CPU: model, kernels, threads)': device_key,
        'world size': card.get('world_size'),
        'deterministic': (card.get('randomness') or {}).get('deterministic'),
    }


def write_json_atomic(path: str, obj: Any) -> None:
    """Write JSON through a temporary file (a reader never sees half a card)."""
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(obj, f, indent=1, default=repr)
    os.replace(tmp, path)


def read_run_card(path: str) -> Dict[str, Any]:
    """Load a card written by :class:`RunCardHook`."""
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def _runner_mode(runner) -> str:
    """Which of ``runner.train()/test()/val()`` is calling the hooks' ``before_run``.

    Read from the call stack (the Runner method that called ``call_hook``), because a
    runner that trained and is then tested has both loops built.
    """
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name in CARD_NAMES and frame.f_locals.get('self') is runner:
            return frame.f_code.co_name
        frame = frame.f_back
    from mmengine.runner import BaseLoop  # called from elsewhere: the loop that exists
    if isinstance(getattr(runner, '_train_loop', None), BaseLoop):
        return 'train'
    return 'test' if isinstance(getattr(runner, '_test_loop', None), BaseLoop) else 'val'


@HOOKS.register_module()
class RunCardHook(Hook):
    """Write the run card when a run starts and complete it when it ends (main process).

    Attached to every Runner by ``mmext.apis.build_runner``; a config may also list it in
    ``custom_hooks`` (it is not attached twice).
    """

    priority = 'VERY_LOW'

    def __init__(self) -> None:
        self._card: Optional[Dict[str, Any]] = None
        self._t0 = 0.0
        self._paths: List[str] = []

    def before_run(self, runner) -> None:
        """Write the card with everything known at the start."""
        if not is_main_process():
            return
        self._t0 = time.time()
        mode = _runner_mode(runner)
        self._card = build_run_card(runner.cfg, mode, runner.seed, runner.work_dir,
                                    runner.timestamp, getattr(runner, '_deterministic', None))
        self._paths = [osp.join(runner.work_dir, CARD_NAMES[mode])]
        if getattr(runner, 'log_dir', None):
            self._paths.append(osp.join(runner.log_dir, 'run_card.json'))
        self._write()

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        """Keep the latest validation metrics (training: those of the last validation)."""
        self._add_metrics(runner, metrics)

    def after_test_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        """Keep the test metrics."""
        self._add_metrics(runner, metrics)

    def _add_metrics(self, runner, metrics: Optional[Dict[str, float]]) -> None:
        if self._card is None or not metrics:
            return
        self._card['metrics'] = {k: _scalar(v) for k, v in metrics.items()
                                 if _scalar(v) is not None}
        self._card['metrics_at'] = dict(epoch=runner.epoch, iter=runner.iter)
        self._write()

    def after_run(self, runner) -> None:
        """Add wall time, peak memory and the finishing time."""
        if self._card is None:
            return
        self._card.update(status='finished', finished=_utc_now(),
                          wall_time_s=round(time.time() - self._t0, 2),
                          peak_memory=peak_memory())
        if self._card['mode'] == 'train':
            self._card['last_checkpoint'] = _read_text(
                osp.join(runner.work_dir, 'last_checkpoint'))
        self._write()

    def _write(self) -> None:
        for path in self._paths:
            os.makedirs(osp.dirname(path) or '.', exist_ok=True)
            write_json_atomic(path, self._card)


def _scalar(value: Any) -> Optional[float]:
    """A metric value as float (tensors, numpy scalars); None for non-scalars."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _read_text(path: str) -> Optional[str]:
    if not osp.isfile(path):
        return None
    with open(path, encoding='utf-8') as f:
        return f.read().strip()


def attach_run_card(runner) -> None:
    """Register :class:`RunCardHook` on ``runner`` unless it already has one."""
    if any(isinstance(h, RunCardHook) for h in runner.hooks):
        return
    runner.register_hook(RunCardHook(), priority='VERY_LOW')
