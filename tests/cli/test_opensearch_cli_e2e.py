"""`laborlex opensearch setup|status`, `laborlex ingest` and `laborlex search` as subprocesses,
with LABORLEX_BACKEND=opensearch pointed at a real OpenSearch node when OPENSEARCH_URL is set
(every search mode there), else at the osmem emulator (real HTTP, production mappings; bm25).

Neither has the neural-search plugin (the emulator has no search pipelines at all; Maven
Central does not serve the plugin for the local node): `setup` must still create the index
and alias, say clearly that native hybrid is unavailable, and exit 0 (client hybrid, bm25 and
dense do not need the pipeline); with LABORLEX_OPENSEARCH_HYBRID=native that is an error.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import CORPUS_DIR, MANIFEST_PATH, REPO_ROOT, shared_model_dir
from tests.laborlex_core.store.opensearch_fixtures import REAL_CLUSTER_REASON

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


# The emulator leg runs a subset of the real leg's commands and checks (bm25 only: it has no
# k-NN), so where a live node is set (CI always has one) it would only repeat them, at ~1.5 min
# of CLI processes; it runs where no node is, so the commands are still proven end to end there.
EMULATOR_REDUNDANT_REASON = (
    "OPENSEARCH_URL is set: the real_cluster leg runs these commands on the live node "
    "(a superset of the emulator's checks), so the emulator leg is skipped"
)


@pytest.fixture(params=["emulator", "real_cluster"])
def cli_env(request: pytest.FixtureRequest, tmp_path: Path):
    index = "laborlex-cli"
    if request.param == "emulator":
        if os.environ.get("OPENSEARCH_URL"):
            pytest.skip(EMULATOR_REDUNDANT_REASON)
        pytest.importorskip("osmem_server")
        url = request.getfixturevalue("osmem_clone").url
    else:
        if not os.environ.get("OPENSEARCH_URL"):
            pytest.skip(REAL_CLUSTER_REASON)
        url, index = os.environ["OPENSEARCH_URL"], f"laborlex-cli-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABORLEX_", "OPENSEARCH_"))}
    env.update(
        LABORLEX_BACKEND="opensearch",
        LABORLEX_OPENSEARCH_URL=url,
        LABORLEX_DATA_DIR=str(tmp_path / "data"),
        LABORLEX_MODEL_DIR=str(shared_model_dir()),
        LABORLEX_OPENSEARCH_INDEX=index,
        HF_HUB_OFFLINE="1",
        PYTHONPATH=str(REPO_ROOT),
    )
    if os.environ.get("LABORLEX_VECTOR_CACHE_FILE"):  # the session's vector cache, as a user's shared one
        env["LABORLEX_VECTOR_CACHE_FILE"] = os.environ["LABORLEX_VECTOR_CACHE_FILE"]
    if os.environ.get("OPENSEARCH_PASSWORD"):
        env["LABORLEX_OPENSEARCH_PASSWORD"] = os.environ["OPENSEARCH_PASSWORD"]
    yield env
    if request.param == "real_cluster":
        from opensearchpy import OpenSearch

        client = OpenSearch(hosts=[url])
        client.indices.delete(index=f"{index}-*", ignore_unavailable=True)


def test_cli_setup_status_ingest_search_on_opensearch(cli_env: dict[str, str], tmp_path: Path) -> None:
    if not MANIFEST_PATH.exists():
        pytest.skip(f"real corpus not found at {CORPUS_DIR}")
    alias = cli_env["LABORLEX_OPENSEARCH_INDEX"]
    real = cli_env["LABORLEX_OPENSEARCH_URL"] == os.environ.get("OPENSEARCH_URL")
    setup = _run(cli_env, "opensearch", "setup")
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert f"alias {alias} -> {alias}-" in setup.stdout and "(created, 384-dim vectors)" in setup.stdout
    assert "search pipeline -" in setup.stdout
    assert "native hybrid unavailable" in setup.stdout
    assert "warning: no search pipeline on this cluster" in setup.stderr
    if real:
        assert "OpenSearch 3." in setup.stdout and "opensearch-knn" in setup.stdout

    again = _run(cli_env, "opensearch", "setup", "--no-search-pipeline")  # idempotent, pipeline skipped
    assert again.returncode == 0, again.stderr
    assert "(exists)" in again.stdout and "warning" not in again.stderr

    status = _run(cli_env, "opensearch", "status", "--json")
    assert status.returncode == 0, status.stderr
    state = json.loads(status.stdout)
    assert state["alias"] == alias and len(state["indices"]) == 1
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

    # USMCA spells "labor" only; a real cluster (unlike the emulator) does not match "labour" to it
    filtered = _run(cli_env, "search", "labor", "--mode", "bm25", "--json", "--doc", "usmca-ch23-en")
    assert filtered.returncode == 0, filtered.stderr
    assert {h["doc_id"] for h in json.loads(filtered.stdout)} == {"usmca-ch23-en"}

    if real:  # k-NN: dense and client hybrid through the CLI
        for mode in ("dense", "hybrid"):
            found = _run(cli_env, "search", "forced or compulsory labour", "--mode", mode, "--json", "--limit", "5")
            assert found.returncode == 0, found.stdout + found.stderr
            hits = json.loads(found.stdout)
            # both instruments name "forced or compulsory labo(u)r" (C182 art. 3, USMCA art. 23.1);
            # the convention's article is among the first by meaning
            assert ("ilo-c182-en", "3") in [(h["doc_id"], h["article"]) for h in hits[:3]], hits[:3]


def test_cli_setup_fails_without_pipeline_when_native_hybrid_is_configured(cli_env: dict[str, str]) -> None:
    result = _run({**cli_env, "LABORLEX_OPENSEARCH_HYBRID": "native"}, "opensearch", "setup")
    assert result.returncode == 1
    alias = cli_env["LABORLEX_OPENSEARCH_INDEX"]
    assert f"alias {alias} -> {alias}-" in result.stdout  # the index was still set up
    assert "LABORLEX_OPENSEARCH_HYBRID=native needs the search pipeline" in result.stderr
