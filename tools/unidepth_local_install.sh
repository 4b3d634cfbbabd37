#!/usr/bin/env bash
# Make the real UniDepth package (not on PyPI) importable from a local clone of its repository,
# without installing anything into the project's venv and without copying UniDepth's code into
# mmext. Used by the slow check of UniDepthWrapper at batch 2 (docs/food.md, "UniDepth").
#
# Usage:
#   tools/unidepth_local_install.sh UNIDEPTH_CLONE [TARGET_DIR]
#     UNIDEPTH_CLONE  git clone of https://github.com/lpiccinelli-eth/UniDepth (a work tree), or a
#                     bare git dir (its unidepth/ and configs/ are exported to TARGET_DIR/src)
#     TARGET_DIR      where the pure-Python dependencies go (default /tmp/unidepth_local)
# Then run (the script prints the exact line):
#   UNIDEPTH_REPO=<src> PYTHONPATH=$PWD:<src>:<TARGET_DIR>/deps \
#     .venv/bin/python -m pytest -m slow tests/test_depth/test_unidepth_wrapper.py
#
# Dependencies installed (--no-deps, pinned, into TARGET_DIR/deps only): the ones the import of
# unidepth.models needs beyond mmext's stack -- timm (layers), wandb (imported unconditionally
# by unidepth/utils/visualization.py) and wandb's import-time opentelemetry-api and xxhash.
# Not installed: xformers (compiled; UniDepth V2 falls back to torch attention and says
# "xFormers not available"), UniDepth's CUDA ops (KNN, extract_patches: not used by
# encode_decode). Random weights only: no checkpoint is downloaded.
set -euo pipefail
if [ $# -lt 1 ]; then
    echo "usage: $0 UNIDEPTH_CLONE [TARGET_DIR]" >&2
    exit 2
fi
CLONE=$(cd "$1" && pwd)
TARGET=${2:-/tmp/unidepth_local}
PY=${PYTHON:-.venv/bin/python}
mkdir -p "$TARGET"
if [ -d "$CLONE/unidepth" ]; then
    SRC=$CLONE
elif git --git-dir="$CLONE" rev-parse --git-dir >/dev/null 2>&1; then
    SRC=$TARGET/src
    rm -rf "$SRC" && mkdir -p "$SRC"
    # only the package and its configs (the repository's assets may be absent in a mirror)
    git --git-dir="$CLONE" archive HEAD unidepth configs | tar -x -C "$SRC"
else
    echo "$1: not a UniDepth clone (no unidepth/ folder) nor a git dir" >&2
    exit 2
fi
if [ ! -f "$SRC/configs/config_v2_vits14.json" ]; then
    echo "$SRC/configs/config_v2_vits14.json missing: is $1 the UniDepth repository?" >&2
    exit 2
fi
"$PY" -m pip install --quiet --no-deps --target "$TARGET/deps" \
    timm==1.0.31 wandb==0.31.0 opentelemetry-api==1.45.2 xxhash==4.1.0
UNIDEPTH_REPO=$SRC PYTHONPATH=$SRC:$TARGET/deps "$PY" -c \
    "from unidepth.models import UniDepthV2; print('unidepth importable:', UniDepthV2.__module__)"
echo "UNIDEPTH_REPO=$SRC PYTHONPATH=\$PWD:$SRC:$TARGET/deps $PY -m pytest -m slow tests/test_depth/test_unidepth_wrapper.py"
