#!/usr/bin/env bash
# The main command: set up, ingest the corpus into the embedded store if the index is empty,
# then serve the API and the UI and print their addresses (Ctrl-C stops both).
# Usage: scripts/up.sh [CORPUS_DIR]   (default ../shared/corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
CORPUS=${1:-../shared/corpus}
export HF_HUB_OFFLINE=1
exec .venv/bin/laborlex up --corpus "$CORPUS"
