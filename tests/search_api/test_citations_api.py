"""Citations through the HTTP API on the real slice index: cited-by, cites, the ``cites``
search filter and ``cited_by_count`` on hits."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from laborlex_core.settings import Settings
from search_api.app import create_app


@pytest.fixture(scope="module")
def client(api_settings: Settings) -> TestClient:
    return TestClient(create_app(api_settings))


def test_cited_by_groups_citing_provisions(client: TestClient) -> None:
    # ILO C182 art. 4: "Los tipos de trabajo a que se refiere el artículo 3, d) deberán ser determinados..."
    body = client.get("/documents/ilo-c182-es/provisions/3/cited-by").json()
    assert body["provision"] == {"doc_id": "ilo-c182-es", "article": "3", "citation": body["provision"]["citation"]}
    group = next(g for g in body["groups"] if g["doc_id"] == "ilo-c182-es")
    entry = next(e for e in group["citations"] if e["article"] == "4")
    assert entry["texts"] == ["artículo 3"] and entry["label"] and entry["citation"].endswith("(INTL)")
    assert body["total"] == sum(len(g["citations"]) for g in body["groups"])


def test_cites_lists_outgoing_references_resolved_or_not(client: TestClient) -> None:
    body = client.get("/documents/ilo-c182-es/provisions/4/cites").json()
    linked = [c for c in body["citations"] if c["target_doc"] == "ilo-c182-es" and c["target_article"] == "3"]
    assert linked and linked[0]["linked"] and linked[0]["resolved"] and linked[0]["target_citation"]
    # a ruling citing an instrument the slice does not hold: resolved to the corpus, not linked
    ruling = client.get("/documents/mx-scjn-tesis-181711-es/provisions/1/cites").json()["citations"]
    lft = [c for c in ruling if c["target_doc"] == "mx-lft-es"]
    assert lft and lft[0]["resolved"] and not lft[0]["linked"] and lft[0]["instrument"] == "Ley Federal del Trabajo"


def test_search_filter_and_counts(client: TestClient) -> None:
    hits = client.get("/search", params={"q": "trabajo", "cites": "ilo-c182-es:3", "mode": "bm25"}).json()["results"]
    assert hits and {(h["doc_id"], h["article"]) for h in hits} <= {("ilo-c182-es", "4"), ("ilo-c182-es", "7")}
    found = client.get("/search", params={"q": "peores formas de trabajo infantil", "doc": "ilo-c182-es", "limit": 20}).json()
    art3 = next(h for h in found["results"] if h["article"] == "3")
    assert art3["cited_by_count"] >= 1
    assert all(isinstance(h["cited_by_count"], int) for h in found["results"])


def test_errors_name_the_field(client: TestClient) -> None:
    bad = client.get("/search", params={"q": "trabajo", "cites": "no-colon"})
    assert bad.status_code == 422 and bad.json()["detail"]["field"] == "cites"
    unknown = client.get("/search", params={"q": "trabajo", "cites": "nope:3"})
    assert unknown.status_code == 404 and unknown.json()["detail"]["field"] == "cites"
    for path in ("cited-by", "cites"):
        assert client.get(f"/documents/nope/provisions/3/{path}").json()["detail"]["field"] == "doc_id"
        missing = client.get(f"/documents/ilo-c182-es/provisions/999/{path}")
        assert missing.status_code == 404 and missing.json()["detail"]["field"] == "article"
