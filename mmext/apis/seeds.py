"""Commands that run one config over several seeds (tools/train_seeds.py).

Seed ``s`` trains in ``<work_dir>/seed<s>`` with ``randomness.seed=s``, each seed in its own
process (so nothing of one seed's process state leaks into the next, and each run equals a
plain ``tools/train.py`` run with that seed). ``{seed}`` in a ``--cfg-options`` value is
replaced by the seed, e.g. ``pseudo_labels.teacher.checkpoint=work_dirs/t/seed{seed}/x.pth``
pairs each student with the teacher of its seed.
"""
import os.path as osp
import sys
from typing import List, Optional, Sequence

SEED_DIR = 'seed{seed}'


def seed_work_dir(work_dir: str, seed: int) -> str:
    """``<work_dir>/seed<seed>``."""
    return osp.join(work_dir, SEED_DIR.format(seed=seed))


def _with_seed(options: Sequence[str], seed: int) -> List[str]:
    return [o.replace('{seed}', str(seed)) for o in options]


def train_command(config: str, seed: int, work_dir: str, cfg_options: Sequence[str] = (),
                  resume: bool = False, extra: Sequence[str] = (),
                  python: Optional[str] = None, tools_dir: Optional[str] = None) -> List[str]:
    """The ``tools/train.py`` command of one seed."""
    tools_dir = tools_dir or osp.join(osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))), 'tools')
    cmd = [python or sys.executable, osp.join(tools_dir, 'train.py'), config,
           '--work-dir', seed_work_dir(work_dir, seed)]
    if resume:
        cmd.append('--resume')
    cmd += list(extra)
    cmd += ['--cfg-options', f'randomness.seed={seed}'] + _with_seed(cfg_options, seed)
    return cmd


def test_command(config: str, seed: int, work_dir: str, checkpoint: str,
                 cfg_options: Sequence[str] = (), table_out: Optional[str] = None,
                 python: Optional[str] = None, tools_dir: Optional[str] = None) -> List[str]:
    """The ``tools/test.py`` command of one seed (``table_out`` relative to its work dir)."""
    tools_dir = tools_dir or osp.join(osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))), 'tools')
    wd = seed_work_dir(work_dir, seed)
    cmd = [python or sys.executable, osp.join(tools_dir, 'test.py'), config, checkpoint,
           '--work-dir', wd]
    if table_out:
        cmd += ['--table-out', osp.join(wd, table_out)]
    cmd += ['--cfg-options', f'randomness.seed={seed}'] + _with_seed(cfg_options, seed)
    return cmd


def last_checkpoint(work_dir: str) -> str:
    """The checkpoint mmengine recorded in ``<work_dir>/last_checkpoint``."""
    from mmext.utils.errors import UserInputError, missing_path_message
    path = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(path):
        raise UserInputError(missing_path_message(
            'last_checkpoint of the training run', path, 'Did the training finish?'))
    with open(path, encoding='utf-8') as f:
        return f.read().strip()
