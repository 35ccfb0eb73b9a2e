#!/usr/bin/env bash
# The main command: set up, then index the corpus into the embedded store (default data dir,
# or LABORLEX_DATA_DIR). Usage: scripts/up.sh [CORPUS_DIR]   (default ../shared/corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
CORPUS=${1:-../shared/corpus}
export HF_HUB_OFFLINE=1
.venv/bin/laborlex ingest "$CORPUS"
