#!/usr/bin/env bash
# Set up laborlex on a bare machine: a virtualenv in .venv with the CPU build of torch,
# the project and its test tools, and the embedding model built from bundled weights.
# Idempotent: a second run only checks what is there.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
export PIP_DISABLE_PIP_VERSION_CHECK=1

# torch first, pinned: an unpinned torch would pull several GB of CUDA packages.
if ! "$PY" -c "import torch" 2>/dev/null; then
  echo "==> installing torch (CPU)"
  "$PY" -m pip install -q "torch==2.13.0"
fi
if ! "$PY" -c "import laborlex, ingest, search_api" 2>/dev/null || [ pyproject.toml -nt "$VENV/.laborlex-installed" ]; then
  echo "==> installing laborlex and its dependencies"
  "$PY" -m pip install -q -e ".[dev]"
  touch "$VENV/.laborlex-installed"
fi

echo "==> preparing the embedding model (offline)"
HF_HUB_OFFLINE=1 "$VENV/bin/laborlex" model
