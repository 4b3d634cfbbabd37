"""optuna studies on a real PostgreSQL server started by the test on 127.0.0.1.

Needs Debian's ``postgresql`` package (``initdb``/``pg_ctl``) and a driver
(``pip install 'mmext[postgres]'``); skipped with the reason otherwise. As root, the server
runs as user ``nobody`` (PostgreSQL refuses to run as root).
"""
import glob
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile

import pytest

from mmext.hpo.storage import build_storage, resolve_storage
from mmext.utils.errors import UserInputError

PASSWORD = 's3cret-pw'


def _pg_bin(name):
    found = shutil.which(name)
    if found:
        return found
    hits = sorted(glob.glob(f'/usr/lib/postgresql/*/bin/{name}'))
    return hits[-1] if hits else None


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module')
def pg_url():
    initdb, pg_ctl = _pg_bin('initdb'), _pg_bin('pg_ctl')
    if not initdb or not pg_ctl:
        pytest.skip('PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install '
                    'postgresql')
    if not any(importlib.util.find_spec(m) for m in ('psycopg', 'psycopg2')):
        pytest.skip("no PostgreSQL driver: pip install 'mmext[postgres]'")
    run_as = {}
    base = tempfile.mkdtemp(prefix='mmext-pg-', dir='/tmp')
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam('nobody')
        except KeyError:
            pytest.skip('running as root and no user "nobody" to run PostgreSQL as')
        run_as = dict(user=user.pw_uid, group=user.pw_gid)
        os.chown(base, user.pw_uid, user.pw_gid)
    data, pwfile = os.path.join(base, 'data'), os.path.join(base, 'pw')
    with open(pwfile, 'w') as f:
        f.write(PASSWORD + '\n')
    if run_as:
        os.chown(pwfile, run_as['user'], run_as['group'])
    env = dict(os.environ, LC_ALL='C')
    subprocess.run([initdb, '-D', data, '-U', 'mmext', '--auth=scram-sha-256',
                    f'--pwfile={pwfile}', '-E', 'UTF8'], check=True, capture_output=True,
                   env=env, timeout=120, **run_as)
    port = _free_port()
    subprocess.run([pg_ctl, '-D', data, '-l', os.path.join(base, 'log'), '-w', '-t', '60',
                    '-o', f'-h 127.0.0.1 -p {port} -k {base}', 'start'], check=True,
                   capture_output=True, env=env, timeout=120, **run_as)
    try:
        yield f'postgresql://mmext:{PASSWORD}@127.0.0.1:{port}/postgres'
    finally:
        subprocess.run([pg_ctl, '-D', data, '-m', 'immediate', 'stop'], capture_output=True,
                       env=env, timeout=60, **run_as)
        shutil.rmtree(base, ignore_errors=True)


def test_bare_postgresql_url_opens_with_the_installed_driver(pg_url, tmp_path):
    spec = resolve_storage(pg_url, str(tmp_path))
    assert spec.url.startswith('postgresql+psycopg')  # the driver that is installed
    storage = build_storage(spec)
    assert storage.get_heartbeat_interval() is not None  # heartbeats on
    wrong = pg_url.replace(PASSWORD, 'wrong-pw')
    with pytest.raises(UserInputError) as err:
        build_storage(resolve_storage(wrong, str(tmp_path)))
    assert 'wrong-pw' not in str(err.value) and PASSWORD not in str(err.value)
    assert 'mmext:***@127.0.0.1' in str(err.value)


def test_kill_9_on_postgresql_then_same_command(pg_url, tmp_path):
    from optuna.trial import TrialState

    from tests.test_hpo.test_fault_tolerance import kill_mid_trial_and_rerun
    study = kill_mid_trial_and_rerun(tmp_path, pg_url)
    states = [t.state for t in study.trials]
    assert states == [TrialState.COMPLETE, TrialState.FAIL, TrialState.COMPLETE,
                      TrialState.COMPLETE]
