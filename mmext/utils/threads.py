"""CPU thread defaults: dataloader workers plus compute threads never exceed the cores.

By default torch (and the BLAS under numpy) start one compute thread per core in the main
process, and every DataLoader worker is another busy process. On a small or shared machine
(2 cores, ``num_workers=2``) that oversubscribes the cores and OpenMP's spinning threads
slow training down several times (measured in the issue: 18.5 s vs 1.9 s per iteration
with ``OMP_NUM_THREADS=1``). mmengine's ``setup_multi_processes`` only sets
``OMP_NUM_THREADS=1`` for distributed runs and ``cv2.setNumThreads(0)``; torch sets one
thread in each DataLoader worker. :func:`apply_thread_defaults` completes this for the
main process of every run built by :func:`mmext.apis.build_runner`:

    threads = max(1, cores // processes_on_this_machine - dataloader_workers)

where ``cores`` is what the process may use (CPU affinity and the cgroup CPU quota) and
``dataloader_workers`` is the largest ``num_workers`` of the config's dataloaders. An
explicit ``OMP_NUM_THREADS`` in the environment always wins (nothing is changed).
"""
import math
import os
from typing import Any, Optional

__all__ = ['usable_cpus', 'default_num_threads', 'apply_thread_defaults']


def _cgroup_quota() -> Optional[float]:
    """CPUs allowed by the cgroup (v2 ``cpu.max`` or v1 quota/period), None if unlimited."""
    try:
        with open('/sys/fs/cgroup/cpu.max') as f:
            quota, period = f.read().split()[:2]
        if quota != 'max':
            return int(quota) / int(period)
        return None
    except (OSError, ValueError):
        pass
    try:
        with open('/sys/fs/cgroup/cpu/cpu.cfs_quota_us') as f:
            quota = int(f.read())
        with open('/sys/fs/cgroup/cpu/cpu.cfs_period_us') as f:
            period = int(f.read())
        return quota / period if quota > 0 and period > 0 else None
    except (OSError, ValueError):
        return None


def usable_cpus() -> int:
    """Cores this process may run on: affinity mask, capped by the cgroup quota."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    quota = _cgroup_quota()
    if quota is not None:
        n = min(n, max(1, math.ceil(quota)))
    return max(1, n)


def _max_workers(cfg: Any) -> int:
    workers = 0
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key) if hasattr(cfg, 'get') else None
        if isinstance(loader, dict):
            try:
                workers = max(workers, int(loader.get('num_workers', 0) or 0))
            except (TypeError, ValueError):
                continue
    return workers


def default_num_threads(cfg: Any, cores: Optional[int] = None) -> int:
    """Compute threads for the main process of a run of ``cfg`` (module doc formula)."""
    cores = usable_cpus() if cores is None else cores
    try:
        procs = max(1, int(os.environ.get('LOCAL_WORLD_SIZE', '1')))
    except ValueError:
        procs = 1
    return max(1, cores // procs - _max_workers(cfg))


def apply_thread_defaults(cfg: Any) -> Optional[int]:
    """Set torch's (and the BLAS libraries') thread count for a run of ``cfg``.

    Returns:
        The number of threads set, or None when ``OMP_NUM_THREADS`` is set by the user.
    """
    if os.environ.get('OMP_NUM_THREADS'):
        return None
    import torch

    n = default_num_threads(cfg)
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    try:  # numpy/scipy BLAS pools in this process (inherited by forked workers)
        from threadpoolctl import threadpool_limits
        threadpool_limits(n)
    except Exception:  # noqa: BLE001 - optional; torch's own pool is what matters most
        pass
    return n
