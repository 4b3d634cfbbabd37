#!/usr/bin/env bash
# Create (or complete) the project's virtual environment with the pinned OpenMMLab stack.
#
# Usage: bash tools/setup_env.sh [VENV_DIR]   (default: .venv in the repository root)
#
# Steps that need care (measured facts in ../shared/REFERENCES.md, "Stack facts"):
#   * torch 2.13.0 + torchvision 0.28.0 come from PyPI (CUDA builds, run on CPU). A local CPU
#     torch wheel configured through pip's find-links would be preferred by pip but has no
#     matching torchvision, so find-links is switched off for that step.
#   * mmcv 2.1.0 has no wheel for this torch: it is built from the sdist with its compiled ops
#     (MMCV_WITH_OPS=1, no build isolation, setuptools<70). pip caches the built wheel, so a
#     second set-up on the same machine takes seconds.
#   * sam2 1.1.0 is installed without build isolation; its CUDA extension is optional and skipped.
# Each step is skipped when its package is already present at the pinned version, so a
# re-run is cheap; the stamp file tells the Makefile everything is in place.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${1:-$ROOT/.venv}"
PY="$VENV/bin/python"
PIP=("$PY" -m pip install --disable-pip-version-check)
t0=$(date +%s)

log() { printf '[setup %4ds] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }
have() {  # have PKG VERSION -> true when PKG==VERSION is installed in the venv
  "$PY" - "$1" "$2" <<'PYEOF'
import sys
from importlib.metadata import version, PackageNotFoundError
try:
    v = version(sys.argv[1])
except PackageNotFoundError:
    sys.exit(1)
sys.exit(0 if v.split('+')[0] == sys.argv[2] else 1)
PYEOF
}

if [ ! -x "$PY" ]; then
  log "creating virtual environment $VENV"
  python3 -m venv "$VENV"
fi
"${PIP[@]}" -q "pip>=24" "setuptools<70" wheel

if ! have torch 2.13.0 || ! have torchvision 0.28.0; then
  log "installing torch 2.13.0 + torchvision 0.28.0 (PyPI builds, ~5 GB)"
  PIP_FIND_LINKS=" " "${PIP[@]}" -q torch==2.13.0 torchvision==0.28.0
fi
# torch pulls the newest setuptools, which no longer ships pkg_resources (mmcv's setup.py
# imports it): keep the build tools at a version that has it.
"${PIP[@]}" -q "setuptools<70"

if ! have mmcv 2.1.0; then
  log "installing mmcv 2.1.0 with compiled ops (built from source on first run: ~15 min on 2 cores)"
  MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS="$(nproc)" \
    "${PIP[@]}" -q --no-build-isolation mmcv==2.1.0
fi

log "installing the pinned runtime and test requirements"
"${PIP[@]}" -q -r "$ROOT/requirements/runtime.txt" -r "$ROOT/requirements/tests.txt"

if ! have sam2 1.1.0; then
  log "installing sam2 1.1.0 (no CUDA extension)"
  SAM2_BUILD_CUDA=0 "${PIP[@]}" -q --no-build-isolation sam2==1.1.0
fi

log "installing mmext (editable)"
"${PIP[@]}" -q --no-build-isolation --no-deps -e "$ROOT"

"$PY" -c "import mmext, mmcv.ops, mmdet.models, mmpretrain.models, sam2, optuna; print('mmext', mmext.__version__, 'ready')"
touch "$VENV/.mmext-installed"
log "done"
