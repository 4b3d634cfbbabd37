"""Every table of numbers in README.md and benchmarks/RESULTS*.md carries the command that
regenerates it (a line starting with ``Regenerate`` next to it, commands in backticks), and
each such command exists: its script or Makefile target is there and its argparse accepts
the arguments."""
import argparse
import glob
import importlib.util
import os.path as osp
import re
import shlex
import sys
from typing import List, Tuple

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DOCS = ['README.md'] + sorted(osp.relpath(p, REPO) for p in
                              glob.glob(osp.join(REPO, 'benchmarks', 'RESULTS*.md')))
MARK = 'Regenerate'
# how far (lines) a Regenerate: line may be from the table it belongs to
WINDOW = 12


def _tables(lines: List[str]) -> List[Tuple[int, int]]:
    """(first, last) line index of each Markdown table with at least one number."""
    spans, start = [], None
    for i, line in enumerate(lines + ['']):
        if line.startswith('|'):
            start = i if start is None else start
        elif start is not None:
            body = ' '.join(lines[start + 2:i])
            if re.search(r"\d\.\d", body):
                spans.append((start, i - 1))
            start = None
    return spans


def _commands(line: str) -> List[str]:
    """The backticked commands of a ``Regenerate`` line (none for other lines)."""
    if not line.startswith(MARK):
        return []
    return [c for c in re.findall(r'`([^`]+)`', line)
            if c.split()[0] in ('python', 'make', 'bash')]


def _doc_commands():
    for doc in DOCS:
        with open(osp.join(REPO, doc), encoding='utf-8') as f:
            lines = f.read().splitlines()
        for i, line in enumerate(lines):
            if line.startswith(MARK):
                for cmd in _commands(line):
                    yield pytest.param(cmd, id=f'{doc}:{i + 1}')


@pytest.mark.parametrize('doc', DOCS)
def test_every_table_has_a_regenerate_line(doc):
    with open(osp.join(REPO, doc), encoding='utf-8') as f:
        lines = f.read().splitlines()
    missing = []
    for first, last in _tables(lines):
        near = lines[max(0, first - WINDOW):last + WINDOW + 1]
        if not any(_commands(line) for line in near):
            missing.append(f'{doc}:{first + 1}')
    assert not missing, f'tables without a "{MARK} `command`" line: {missing}'


class _Accepted(Exception):
    pass


def _check_python(argv: List[str], monkeypatch) -> None:
    script = argv[0]
    path = osp.join(REPO, script)
    assert osp.isfile(path), f'{script} does not exist'
    for arg in argv[1:]:  # config files named in the command exist
        if arg.startswith('configs/') and arg.endswith('.py'):
            assert osp.isfile(osp.join(REPO, arg)), f'{arg} does not exist'
    original = argparse.ArgumentParser.parse_args

    def parse_then_stop(self, args=None, namespace=None):
        original(self, args, namespace)
        raise _Accepted

    monkeypatch.setattr(argparse.ArgumentParser, 'parse_args', parse_then_stop)
    monkeypatch.setattr(sys, 'argv', [path] + argv[1:])
    monkeypatch.chdir(REPO)
    spec = importlib.util.spec_from_file_location('doc_cmd_' + osp.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    with pytest.raises(_Accepted):
        spec.loader.exec_module(module)
        module.main()


@pytest.mark.parametrize('cmd', list(_doc_commands()))
def test_regenerate_command_exists_and_parses(cmd, monkeypatch):
    argv = shlex.split(cmd)
    if argv[0] == 'make':
        with open(osp.join(REPO, 'Makefile'), encoding='utf-8') as f:
            makefile = f.read()
        targets = [a for a in argv[1:] if '=' not in a]
        for target in targets:
            assert re.search(rf'^{re.escape(target)}\s*:', makefile, re.M), target
        for var in (a.split('=')[0] for a in argv[1:] if '=' in a):
            assert re.search(rf'^{var}\s*\??=', makefile, re.M), f'make variable {var}'
    elif argv[0] == 'bash':
        assert osp.isfile(osp.join(REPO, argv[1])), argv[1]
    else:
        _check_python(argv[1:], monkeypatch)


def test_the_check_catches_a_wrong_argument(monkeypatch):
    with pytest.raises(SystemExit):
        _check_python(['tools/analysis_tools/collect_results.py', 'GT=x', '--no-such-flag'],
                      monkeypatch)
