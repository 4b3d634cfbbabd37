#!/usr/bin/env bash
# Create (or complete) the project's virtual environment with the pinned OpenMMLab stack.
#
# Usage: bash tools/setup_env.sh [VENV_DIR]   (default: .venv in the repository root)
#        bash tools/setup_env.sh --print-mmcv-plan [VENV_DIR]   (how mmcv would be built; installs nothing)
#
# Steps that need care (measured facts in ../shared/REFERENCES.md, "Stack facts"):
#   * torch 2.13.0 + torchvision 0.28.0 come from PyPI (CUDA builds, run on CPU). A local CPU
#     torch wheel configured through pip's find-links would be preferred by pip but has no
#     matching torchvision, so find-links is switched off for that step.
#   * mmcv 2.1.0 has no wheel for this torch: it is built from the sdist with its compiled ops
#     (MMCV_WITH_OPS=1, no build isolation, setuptools<70). pip caches the built wheel, so a
#     second set-up on the same machine takes seconds.
#     On a machine where `nvidia-smi` reports a GPU (and torch is a CUDA build) mmcv's CUDA
#     kernels are built too (FORCE_CUDA=1, TORCH_CUDA_ARCH_LIST = the GPUs' compute
#     capabilities, so only those are compiled), with the machine's nvcc when its major version
#     is torch's CUDA major, else with NVIDIA's PyPI nvcc matching torch's cuda-toolkit
#     (CUDA_HOME = <venv>/site-packages/nvidia/cu13). MMEXT_MMCV_CUDA=0 forces the CPU build.
#     An mmcv built without CUDA kernels found on a GPU machine is rebuilt. Without a GPU the
#     build is exactly the CPU build above. The CUDA build bypasses pip's wheel cache (which
#     may hold the CPU wheel of the same sdist).
#   * sam2 1.1.0 is installed without build isolation; its CUDA extension is optional and skipped.
# Each step is skipped when its package is already present at the pinned version, so a
# re-run is cheap; the stamp file tells the Makefile everything is in place.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRINT_PLAN=0
if [ "${1:-}" = "--print-mmcv-plan" ]; then PRINT_PLAN=1; shift; fi
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

# ---- how to build mmcv: CPU ops, or CPU + CUDA ops when an NVIDIA GPU is present --------
gpu_compute_caps() {  # "8.0;9.0": distinct compute capabilities nvidia-smi reports, or ""
  command -v nvidia-smi >/dev/null 2>&1 || return 0
  { nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null || true; } \
    | tr -d ' \r' | grep -E '^[0-9]+\.[0-9]+$' | sort -u | paste -sd';' - || true
}
py_query() {  # py_query CODE: run CODE in the venv's python (empty output when no venv)
  [ -x "$PY" ] && "$PY" -c "$1" 2>/dev/null || true
}
torch_cuda_version() {  # "13.0"; "" for a CPU build of torch
  if [ -n "${MMEXT_TORCH_CUDA+x}" ]; then echo "$MMEXT_TORCH_CUDA"; return; fi
  py_query "import torch; print(torch.version.cuda or '')"
}
cuda_toolkit_version() {  # version of NVIDIA's cuda-toolkit meta-package torch pulled in
  if [ -n "${MMEXT_CUDA_TOOLKIT+x}" ]; then echo "$MMEXT_CUDA_TOOLKIT"; return; fi
  py_query "from importlib.metadata import version; print(version('cuda-toolkit'))"
}
nvcc_major() { "$1" --version 2>/dev/null | sed -n 's/.*release \([0-9][0-9]*\)\..*/\1/p' | head -1; }
find_nvcc() {  # find_nvcc MAJOR: a machine nvcc of that CUDA major version
  local c
  for c in "${CUDA_HOME:+$CUDA_HOME/bin/nvcc}" "$(command -v nvcc 2>/dev/null || true)" \
           "${MMEXT_DEFAULT_CUDA_HOME:-/usr/local/cuda}/bin/nvcc"; do
    if [ -n "$c" ] && [ -x "$c" ] && [ "$(nvcc_major "$c")" = "$1" ]; then
      echo "$c"; return 0
    fi
  done
  return 1
}
mmcv_plan() {  # sets MMCV_PLAN (cpu|cuda), MMCV_ARCH, MMCV_NVCC (path|pypi), MMCV_WHY
  MMCV_PLAN=cpu; MMCV_ARCH=""; MMCV_NVCC=""; MMCV_WHY=""
  if [ "${MMEXT_MMCV_CUDA:-auto}" = 0 ]; then MMCV_WHY="MMEXT_MMCV_CUDA=0"; return; fi
  MMCV_ARCH="$(gpu_compute_caps)"
  if [ -z "$MMCV_ARCH" ]; then MMCV_WHY="no NVIDIA GPU reported by nvidia-smi"; return; fi
  local tcuda; tcuda="$(torch_cuda_version)"
  if [ -z "$tcuda" ]; then
    MMCV_WHY="GPU found but torch is not a CUDA build (or not installed yet)"; return
  fi
  if MMCV_NVCC="$(find_nvcc "${tcuda%%.*}")"; then
    MMCV_PLAN=cuda; MMCV_WHY="GPU compute capability $MMCV_ARCH, machine nvcc, torch CUDA $tcuda"
  elif [ -n "$(cuda_toolkit_version)" ]; then
    MMCV_PLAN=cuda; MMCV_NVCC=pypi
    MMCV_WHY="GPU compute capability $MMCV_ARCH, no CUDA ${tcuda%%.*} nvcc on the machine: "
    MMCV_WHY+="PyPI cuda-toolkit[nvcc,crt,cccl]==$(cuda_toolkit_version) (torch CUDA $tcuda)"
  else
    MMCV_NVCC=""
    MMCV_WHY="GPU found but no CUDA ${tcuda%%.*} nvcc and no cuda-toolkit wheel to match: "
    MMCV_WHY+="CPU ops (mmext routes NMS on CUDA to torchvision); set CUDA_HOME to rebuild"
  fi
}
mmcv_build_env() {  # the environment of the mmcv build, one word per line
  echo MMCV_WITH_OPS=1
  if [ "$MMCV_PLAN" = cuda ]; then
    echo FORCE_CUDA=1
    echo "TORCH_CUDA_ARCH_LIST=$MMCV_ARCH"
  else
    echo FORCE_CUDA=0
  fi
  echo "MAX_JOBS=$(nproc)"
}

build_mmcv_cuda() {  # build_mmcv_cuda [pip args]: mmcv with CPU + CUDA kernels
  local cuda_home="${CUDA_HOME:-}"
  if [ "$MMCV_NVCC" = pypi ]; then
    log "installing NVIDIA's nvcc from PyPI: cuda-toolkit[nvcc,crt,cccl]==$(cuda_toolkit_version)"
    "${PIP[@]}" -q "cuda-toolkit[nvcc,crt,cccl]==$(cuda_toolkit_version)"
    cuda_home="$("$PY" -c "import os, nvidia; print(os.path.join(list(nvidia.__path__)[0], 'cu13'))")"
    # the wheels ship versioned libraries only; the linker wants libcudart.so
    [ -e "$cuda_home/lib/libcudart.so" ] || ln -s libcudart.so.13 "$cuda_home/lib/libcudart.so"
  elif [ -n "$MMCV_NVCC" ]; then
    cuda_home="$(cd "$(dirname "$MMCV_NVCC")/.." && pwd)"
  fi
  # torch's CUDA headers (ATen/cuda) include cuSPARSE/cuBLAS headers that a minimal machine
  # toolkit may lack; the wheels torch installed carry them: add them after the toolkit's.
  local wheel_inc extra=()
  wheel_inc="$(py_query "import os, nvidia; print(os.path.join(list(nvidia.__path__)[0], 'cu13', 'include'))")"
  if [ -n "$wheel_inc" ] && [ -d "$wheel_inc" ]; then
    extra=(MMCV_CUDA_ARGS="-I$wheel_inc" CPATH="$wheel_inc${CPATH:+:$CPATH}")
  fi
  log "installing mmcv 2.1.0 with CPU + CUDA ops for compute capability $MMCV_ARCH" \
      "(CUDA_HOME=$cuda_home; build time on a GPU machine not measured yet)"
  env $(mmcv_build_env) CUDA_HOME="$cuda_home" PATH="$cuda_home/bin:$PATH" "${extra[@]}" \
    "${PIP[@]}" -q --no-build-isolation --no-cache-dir "$@" mmcv==2.1.0
}

mmcv_plan
if [ "$PRINT_PLAN" = 1 ]; then
  echo "plan=$MMCV_PLAN"
  echo "why=$MMCV_WHY"
  echo "nvcc=$MMCV_NVCC"
  echo "env=$(mmcv_build_env | paste -sd' ' -)"
  exit 0
fi

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

mmcv_plan  # again: torch (and its CUDA version) is installed now
if ! have mmcv 2.1.0; then
  if [ "$MMCV_PLAN" = cpu ]; then
    log "installing mmcv 2.1.0 with compiled ops (built from source on first run: ~15 min on 2 cores)"
    MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS="$(nproc)" \
      "${PIP[@]}" -q --no-build-isolation mmcv==2.1.0
  else
    build_mmcv_cuda
  fi
elif [ "$MMCV_PLAN" = cuda ] && [ "$(py_query 'from mmcv.ops import get_compiling_cuda_version as v; print(v())')" = "not available" ]; then
  log "mmcv 2.1.0 is installed without CUDA kernels but this machine has a GPU: rebuilding"
  build_mmcv_cuda --force-reinstall --no-deps
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
