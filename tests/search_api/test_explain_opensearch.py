"""Explain, exports and bulk reading on a real OpenSearch cluster (skipped only when
OPENSEARCH_URL is unset; CI sets it), following test_backend_conformance.py's pattern: a
small slice of the real corpus ingested into an index of its own, dropped afterwards."""

from __future__ import annotations

import csv
import io
import json
import os
import uuid
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient

from ingest.pipeline import ingest_path
from laborlex_core.store import opensearch_admin
from search_api.app import create_app
from tests.conftest import CORPUS_DIR, MANIFEST_PATH, shared_model_dir
from tests.laborlex_core.store.opensearch_fixtures import REAL_CLUSTER_REASON, real_cluster_settings
from tests.search_api.csl_schema import CSL_DATA_SCHEMA

SLICE = ("ilo-c182-en",)  # one document: the cheapest ingest that exercises every path


@pytest.fixture(scope="module")
def cluster_client(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> TestClient:
    if not os.environ.get("OPENSEARCH_URL"):
        pytest.skip(REAL_CLUSTER_REASON)
    if not MANIFEST_PATH.exists():
        pytest.skip(f"real corpus not found at {CORPUS_DIR}")
    from laborlex_core.store.opensearch import OpenSearchBackend, make_client

    entries = {e["id"]: e for e in json.loads(MANIFEST_PATH.read_text("utf-8"))}
    manifest = tmp_path_factory.mktemp("explain-cluster") / "manifest.json"
    manifest.write_text(json.dumps([{**entries[i], "file": str(CORPUS_DIR / entries[i]["file"])} for i in SLICE]), "utf-8")
    settings = real_cluster_settings(f"laborlex-explain-{uuid.uuid4().hex[:8]}").model_copy(
        update={"data_dir": Path(manifest.parent), "model_dir": shared_model_dir()}
    )
    store = OpenSearchBackend(settings)
    opensearch_admin.setup(store.client, settings)

    def drop() -> None:
        client = make_client(settings)
        for index in opensearch_admin.alias_targets(client, settings.opensearch_index):
            client.indices.delete(index=index)
        client.indices.delete(index=f"{settings.opensearch_index}-docs", ignore_unavailable=True)

    request.addfinalizer(drop)
    report = ingest_path(manifest, settings, store)
    assert not report.failures, report.failures
    return TestClient(create_app(settings))


@pytest.mark.parametrize("mode", ["bm25", "hybrid"])
def test_explain_on_opensearch_adds_up_and_quotes_the_engine(cluster_client: TestClient, mode: str) -> None:
    answer = cluster_client.get("/search", params={"q": "worst forms of child labour", "mode": mode, "limit": 5, "explain": "true"})
    assert answer.status_code == 200, answer.text
    hits = answer.json()["results"]
    assert hits
    for hit in hits:
        explanation = hit["explanation"]
        assert sum(e["contribution"] for e in explanation["fusion"]["lists"]) == pytest.approx(hit["score"], rel=1e-9)
    by_words = [h for h in hits if "bm25" in h["ranks"]]
    assert by_words, hits
    engine = by_words[0]["explanation"]["engine"]
    assert engine["engine"] == "opensearch" and engine["matched"] and engine["terms"]
    assert all(t["field"].startswith(("content.", "context.")) and t["score"] > 0 for t in engine["terms"])


def test_exports_and_ndjson_on_opensearch(cluster_client: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(cluster_client.get("/search", params={"q": "child labour", "format": "csv"}).text, newline="")))
    assert rows and all(r["link"].startswith("http://testserver/documents/") for r in rows)
    jsonschema.validate(cluster_client.get("/search", params={"q": "child labour", "format": "csl-json"}).json(), CSL_DATA_SCHEMA)
    detail = cluster_client.get("/documents/ilo-c182-en").json()
    with cluster_client.stream("GET", "/documents/ilo-c182-en/provisions") as answer:
        lines = [json.loads(line) for line in answer.iter_lines() if line]
    assert [line["article"] for line in lines] == [p["article"] for p in detail["provisions"]]
    assert any(line["formal_citation"].startswith("Worst Forms of Child Labour Convention, 1999 (No. 182), Article") for line in lines)
