"""Find trials whose worker died (``kill -9``, power loss) and mark them FAIL.

A killed worker leaves its trial RUNNING forever. Before each "is the budget used up?"
check the search calls :func:`fail_abandoned_trials`, which uses two signals:

* **Process check (every storage).** Each trial records who runs it (user attr
  :data:`ATTR_WORKER_INFO`: host, pid, the process start time and the kernel's boot id).
  A RUNNING trial whose worker ran on *this* machine (same boot id) and whose process no
  longer exists (or is another process that reused the pid) is dead at once, so the same
  command re-run after a crash on the same machine does not wait. This is the equivalent
  of the heartbeat for journal files, which optuna gives no heartbeat.
* **Heartbeat (RDB storages: SQLite, PostgreSQL, MySQL).** optuna's ``RDBStorage`` with
  ``heartbeat_interval`` records a heartbeat per running trial; a trial whose heartbeat is
  older than the grace period is failed by optuna's ``fail_stale_trials`` (called here
  explicitly, before the budget check). This covers workers on other machines.

A trial failed this way is recorded in the *study's* user attrs (key
``mmext_abandoned_<number>``; a finished trial's own attrs can no longer be written) and
does not use up ``--n-trials`` (see :func:`mmext.hpo.study.counted_trials`), so re-running
the same command completes the requested number of trials.
"""
import logging
import os
import socket
from typing import Dict, List, Optional, Set

logger = logging.getLogger('mmext.hpo')

ATTR_WORKER_INFO = 'mmext_worker'
STUDY_ATTR_ABANDONED = 'mmext_abandoned_'


def _proc_stat(pid: int) -> Optional[List[str]]:
    """Fields 3.. of ``/proc/<pid>/stat`` (Linux), None if unreadable."""
    try:
        with open(f'/proc/{pid}/stat', 'rb') as f:
            text = f.read().decode(errors='replace')
    except OSError:
        return None
    return text.rpartition(')')[2].split()


def _proc_start_ticks(pid: int) -> Optional[int]:
    """Start time of ``pid`` in clock ticks since boot (Linux ``/proc``), None if unknown."""
    fields = _proc_stat(pid)
    try:
        return int(fields[19])  # field 22 of proc(5); fields[0] is field 3
    except (TypeError, IndexError, ValueError):
        return None


def _boot_id() -> Optional[str]:
    try:
        with open('/proc/sys/kernel/random/boot_id') as f:
            return f.read().strip()
    except OSError:
        return None


def worker_info() -> Dict[str, object]:
    """Who runs trials in this process (stored in the trial's user attrs)."""
    pid = os.getpid()
    return dict(host=socket.gethostname(), pid=pid, start=_proc_start_ticks(pid),
                boot=_boot_id())


def worker_is_dead(info: Dict[str, object]) -> bool:
    """True when ``info``'s process ran on this machine (this boot) and is gone.

    Workers on other machines (or without the information) are never declared dead here:
    the heartbeat decides for them.
    """
    if not isinstance(info, dict) or info.get('host') != socket.gethostname():
        return False
    boot = _boot_id()
    if boot is None or info.get('boot') != boot:
        return False
    pid = info.get('pid')
    if not isinstance(pid, int):
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, owned by another user: compare start times below
        pass
    fields = _proc_stat(pid)
    if fields and fields[0] in ('Z', 'X'):  # killed, not yet reaped by its parent
        return True
    start = _proc_start_ticks(pid)
    return info.get('start') is not None and start is not None and start != info['start']


def abandoned_numbers(study) -> Set[int]:
    """Numbers of the trials this module failed because their worker died."""
    out = set()
    for key in study.user_attrs:
        if key.startswith(STUDY_ATTR_ABANDONED):
            try:
                out.add(int(key[len(STUDY_ATTR_ABANDONED):]))
            except ValueError:
                continue
    return out


def mark_abandoned(study, number: int, reason: str) -> None:
    """Record that trial ``number`` was failed because its worker died."""
    study.set_user_attr(f'{STUDY_ATTR_ABANDONED}{number}', reason)


def heartbeat_stale_callback(study, trial) -> None:
    """For ``RDBStorage``: called by optuna after it failed a trial without heartbeat."""
    mark_abandoned(study, trial.number, 'no heartbeat within the grace period')
    logger.warning('trial %d had no heartbeat within the grace period (worker %s): marked '
                   'FAIL; it does not count towards --n-trials', trial.number,
                   trial.user_attrs.get('worker', '?'))


def fail_abandoned_trials(study) -> List[int]:
    """Fail RUNNING trials whose worker is dead (process check, then heartbeat).

    Returns:
        Numbers of the trials failed by the process check (heartbeat failures are logged by
        :func:`heartbeat_stale_callback`).
    """
    import warnings

    import optuna
    from optuna.trial import TrialState

    failed = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING, )):
        info = t.user_attrs.get(ATTR_WORKER_INFO)
        if not worker_is_dead(info):
            continue
        try:
            study._storage.set_trial_state_values(t._trial_id, state=TrialState.FAIL)
        except (optuna.exceptions.UpdateFinishedTrialError, RuntimeError):
            continue  # finished meanwhile (another worker failed it first)
        mark_abandoned(study, t.number, f'worker process {info.get("pid")} on '
                       f'{info.get("host")} is gone')
        failed.append(t.number)
        logger.warning('trial %d was left RUNNING by worker %s:%s, which is gone (killed?): '
                       'marked FAIL; it does not count towards --n-trials', t.number,
                       info.get('host'), info.get('pid'))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)
    return failed
