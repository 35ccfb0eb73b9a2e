"""`laborlex opensearch setup|status`, `laborlex ingest` and `laborlex search` as subprocesses,
with LABORLEX_BACKEND=opensearch pointed at the osmem emulator (real HTTP, production mappings).

The emulator has no search pipelines: `setup` must still create the index and alias, say
clearly that native hybrid is unavailable, and exit 0 (client hybrid, bm25 and dense do not
need the pipeline); with LABORLEX_OPENSEARCH_HYBRID=native the same refusal is an error.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS_DIR, MANIFEST_PATH, REPO_ROOT, shared_model_dir

pytest.importorskip("osmem_server")

CLI_SLICE = ("ilo-c182-en", "usmca-ch23-en")


def _run(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "laborlex.cli", *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture()
def cli_env(osmem_clone, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABORLEX_", "OPENSEARCH_"))}
    env.update(
        LABORLEX_BACKEND="opensearch",
        LABORLEX_OPENSEARCH_URL=osmem_clone.url,
        LABORLEX_DATA_DIR=str(tmp_path / "data"),
        LABORLEX_MODEL_DIR=str(shared_model_dir()),
        LABORLEX_OPENSEARCH_INDEX="laborlex-cli",
        HF_HUB_OFFLINE="1",
        PYTHONPATH=str(REPO_ROOT),
    )
    return env


def test_cli_setup_status_ingest_search_on_opensearch(cli_env: dict[str, str], tmp_path: Path) -> None:
    if not MANIFEST_PATH.exists():
        pytest.skip(f"real corpus not found at {CORPUS_DIR}")
    setup = _run(cli_env, "opensearch", "setup")
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "alias laborlex-cli -> laborlex-cli-" in setup.stdout and "(created)" in setup.stdout
    assert "search pipeline -" in setup.stdout
    assert "native hybrid unavailable" in setup.stdout
    assert "warning: the cluster refused the search pipeline" in setup.stderr

    again = _run(cli_env, "opensearch", "setup", "--no-search-pipeline")  # idempotent, pipeline skipped
    assert again.returncode == 0, again.stderr
    assert "(exists)" in again.stdout and "warning" not in again.stderr

    status = _run(cli_env, "opensearch", "status", "--json")
    assert status.returncode == 0, status.stderr
    state = json.loads(status.stdout)
    assert state["alias"] == "laborlex-cli" and len(state["indices"]) == 1
    assert state["passages"] == 0 and state["documents"] == 0 and state["search_pipeline"] is None
    assert state["health"] == "green"

    entries = {e["id"]: e for e in json.loads(MANIFEST_PATH.read_text("utf-8"))}
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps([{**entries[i], "file": str(CORPUS_DIR / entries[i]["file"])} for i in CLI_SLICE]), "utf-8")
    ingest = _run(cli_env, "ingest", str(manifest))
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    assert "2 documents" in ingest.stdout

    status = json.loads(_run(cli_env, "opensearch", "status", "--json").stdout)
    assert status["documents"] == 2 and status["passages"] > 0

    search = _run(cli_env, "search", "forced or compulsory labour", "--mode", "bm25", "--json", "--limit", "5")
    assert search.returncode == 0, search.stdout + search.stderr
    hits = json.loads(search.stdout)
    assert (hits[0]["doc_id"], hits[0]["article"]) == ("ilo-c182-en", "3")
    assert all(h["citation"] and h["snippet"] and h["ranks"] == {"bm25": h["ranks"]["bm25"]} for h in hits)

    filtered = _run(cli_env, "search", "labour", "--mode", "bm25", "--json", "--doc", "usmca-ch23-en")
    assert filtered.returncode == 0, filtered.stderr
    assert {h["doc_id"] for h in json.loads(filtered.stdout)} == {"usmca-ch23-en"}


def test_cli_setup_fails_without_pipeline_when_native_hybrid_is_configured(cli_env: dict[str, str]) -> None:
    result = _run({**cli_env, "LABORLEX_OPENSEARCH_HYBRID": "native"}, "opensearch", "setup")
    assert result.returncode == 1
    assert "alias laborlex-cli -> laborlex-cli-" in result.stdout  # the index was still set up
    assert "LABORLEX_OPENSEARCH_HYBRID=native needs the search pipeline" in result.stderr
