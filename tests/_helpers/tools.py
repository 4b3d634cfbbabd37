"""Run tools/train.py and tools/test.py in-process, exactly as their command lines do."""
import contextlib
import importlib.util
import io
import os.path as osp
from typing import Tuple

from mmext.apis import run_cli

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TRAIN = osp.join(REPO, 'tools', 'train.py')
TEST = osp.join(REPO, 'tools', 'test.py')
_CACHE: dict = {}


def load_tool(path: str):
    """Import a tool script as a module (cached)."""
    if path not in _CACHE:
        spec = importlib.util.spec_from_file_location(
            'mmext_tool_' + osp.basename(path)[:-3], path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _CACHE[path] = module
    return _CACHE[path]


def run_tool(path: str, *args: str) -> Tuple[int, str]:
    """Run ``main(args)`` under ``run_cli``; return (exit code, captured stderr)."""
    err = io.StringIO()
    code = 0
    with contextlib.redirect_stderr(err):
        try:
            run_cli(lambda: load_tool(path).main(list(args)))
        except SystemExit as exc:
            code = exc.code
    return code, err.getvalue()
