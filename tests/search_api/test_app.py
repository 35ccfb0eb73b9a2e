"""The HTTP API on a real index (slice of the real corpus), through FastAPI's TestClient."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from ingest.pipeline import ingest_sources
from laborlex_core.settings import Settings
from laborlex_core.text_analysis import analyze
from search_api.app import create_app
from tests.conftest import DOCS_DIR, shared_model_dir

TOKEN = {"Authorization": "Bearer s3cret-token"}


@pytest.fixture(scope="module")
def client(api_settings: Settings) -> TestClient:
    return TestClient(create_app(api_settings))


def test_search_returns_cited_provisions_with_snippets_ranks_and_facets(client: TestClient) -> None:
    body = client.get("/search", params={"q": "peores formas de trabajo infantil", "limit": 5}).json()
    assert body["mode"] == "hybrid" and 0 < len(body["results"]) <= 5 and body["total"] >= len(body["results"])
    first = body["results"][0]
    assert first["doc_id"].startswith("ilo-c182")
    assert first["citation"].endswith("(INTL)")
    assert first["ranks"] and first["snippet"]
    marked = [first["snippet"][a:b].lower() for a, b in first["highlights"]]
    assert any(word.startswith(("peor", "trabaj", "infantil", "form")) for word in marked)
    assert set(body["facets"]) == {"jurisdiction", "language", "kind"}
    assert sum(body["facets"]["jurisdiction"].values()) == body["total"]


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_paging_runs_to_total_and_facets_count_the_matches(client: TestClient, mode: str) -> None:
    """Every provision counted in ``total`` is on exactly one page, and the facets of an
    unfiltered search add up to it; with a filter, the filtered value's facet equals total."""
    query, seen = "salario mínimo minimum wage", []
    first = client.get("/search", params={"q": query, "mode": mode, "limit": 5}).json()
    total = first["total"]
    assert total > 5
    offset = 0
    while offset < total + 5:
        page = client.get("/search", params={"q": query, "mode": mode, "limit": 5, "offset": offset}).json()
        assert page["total"] == total
        seen += [(r["doc_id"], r["article"]) for r in page["results"]]
        if not page["results"]:
            break
        offset += 5
    assert len(seen) == len(set(seen)) == total
    assert sum(first["facets"]["language"].values()) == total
    es = client.get("/search", params={"q": query, "mode": mode, "language": "es", "limit": 1}).json()
    assert es["total"] == es["facets"]["language"]["es"] <= total  # the facets ignore the language filter
    assert len(es["facets"]["language"]) > 1


@pytest.mark.parametrize("query", ["jornada nocturna", "¿puedo saber si hay jornada nocturna?"])
def test_total_counts_provisions_holding_a_query_word_by_hand(client: TestClient, api_settings: Settings, query: str) -> None:
    """bm25 mode: ``total`` is the number of provisions with a passage holding a term of the
    words BM25 searched: the query less its filler ("puedo", "saber", "si"), which would
    otherwise count every provision where a word like "puede" stands."""
    from laborlex_core.store.embedded import EmbeddedDocumentStore
    from search_api.query_filler import strip_filler

    store = EmbeddedDocumentStore(api_settings.store_path)

    def by_hand(terms: set[str]) -> set[tuple[str, str]]:
        provisions = set()
        for passage in store.filter_documents({"field": "meta.jurisdiction", "operator": "==", "value": "HN"}):
            words = set(analyze(passage.content or "", passage.meta.get("language")))
            context = store._connection().execute(
                "SELECT f.context FROM passages p JOIN passages_fts f ON f.rowid = p.rowid WHERE p.id = ?", (passage.id,)
            ).fetchone()[0]
            if terms & (words | set(context.split())):
                provisions.add((passage.meta["doc_id"], passage.meta["article"]))
        return provisions

    provisions = by_hand(set(store._query_terms(strip_filler(query))))
    body = client.get("/search", params={"q": query, "mode": "bm25", "jurisdiction": "HN"}).json()
    assert body["total"] == len(provisions) > 0
    if strip_filler(query) != query:
        assert len(by_hand(set(store._query_terms(query)))) > body["total"]  # the filler words alone match more


def test_search_reports_the_query_embedding_time(client: TestClient) -> None:
    response = client.get("/search", params={"q": "despido injustificado indemnización"})
    timing = dict(part.strip().split(";dur=") for part in response.headers["Server-Timing"].split(","))
    assert 0 < float(timing["embed"]) <= float(timing["total"])
    assert float(dict(part.strip().split(";dur=") for part in client.get(
        "/search", params={"q": "despido", "mode": "bm25"}).headers["Server-Timing"].split(","))["embed"]) == 0


def test_filters_paging_and_modes(client: TestClient) -> None:
    hn = client.get("/search", params={"q": "jornada de trabajo", "jurisdiction": "HN", "mode": "bm25"}).json()
    assert hn["results"] and {r["jurisdiction"] for r in hn["results"]} == {"HN"}
    assert len(hn["facets"]["jurisdiction"]) > 1  # facets ignore the jurisdiction filter itself
    several = client.get("/search", params={"q": "child labour", "language": "ka,en", "mode": "dense"}).json()
    assert {r["language"] for r in several["results"]} <= {"ka", "en"}
    page1 = client.get("/search", params={"q": "trabajo", "limit": 3}).json()["results"]
    page2 = client.get("/search", params={"q": "trabajo", "limit": 3, "offset": 3}).json()["results"]
    assert {(r["doc_id"], r["article"]) for r in page1}.isdisjoint({(r["doc_id"], r["article"]) for r in page2})
    one_doc = client.get("/search", params={"q": "trabajo", "doc": "hn-codigo-trabajo-es"}).json()["results"]
    assert {r["doc_id"] for r in one_doc} == {"hn-codigo-trabajo-es"}
    dated = client.get("/search", params={"q": "labor", "date_from": "2018", "date_to": "2020-12"}).json()["results"]
    assert dated and all("2018" <= r["date"] <= "2020-12-31" for r in dated)


@pytest.mark.parametrize(
    ("params", "field", "status"),
    [
        ({"q": ""}, "q", 422),
        ({"q": "   "}, "q", 422),
        ({"q": "x" * 1001}, "q", 422),
        ({"q": "x", "jurisdiction": "FR"}, "jurisdiction", 422),
        ({"q": "x", "language": "es,de"}, "language", 422),
        ({"q": "x", "kind": "novel"}, "kind", 422),
        ({"q": "x", "limit": 101}, "limit", 422),
        ({"q": "x", "limit": 0}, "limit", 422),
        ({"q": "x", "offset": -1}, "offset", 422),
        ({"q": "x", "mode": "fuzzy"}, "mode", 422),
        ({"q": "x", "date_from": "2020-13-01"}, "date_from", 422),
        ({"q": "x", "date_to": "yesterday"}, "date_to", 422),
        ({"q": "x", "doc": "no-such-doc"}, "doc_id", 404),
        ({}, "q", 422),
    ],
)
def test_bad_requests_name_the_field(client: TestClient, params: dict, field: str, status: int) -> None:
    response = client.get("/search", params=params)
    assert response.status_code == status
    detail = response.json()["detail"]
    fields = [detail["field"]] if isinstance(detail, dict) else [e["loc"][-1] for e in detail]
    assert field in fields


def test_document_and_provision_in_context(client: TestClient) -> None:
    doc = client.get("/documents/ilo-c182-es").json()
    assert doc["provision_count"] == len(doc["provisions"]) > 10
    articles = [p["article"] for p in doc["provisions"]]
    assert articles.index("3") < articles.index("4")
    view = client.get("/documents/ilo-c182-es/provisions/3").json()
    assert view["provision"]["label"] == "Artículo 3"
    assert "peores formas de trabajo infantil" in " ".join(view["provision"]["text"].split())
    assert view["previous"]["article"] == "2" and view["next"]["article"] == "4"
    assert view["provision"]["page"] is not None
    assert client.get("/documents/nope").status_code == 404
    assert client.get("/documents/ilo-c182-es/provisions/999").status_code == 404
    listing = client.get("/documents").json()["documents"]
    assert {d["doc_id"] for d in listing} >= {"ilo-c182-es", "usmca-ch23-en"}


def test_article_labels_with_spaces_work_in_urls(client: TestClient) -> None:
    doc = client.get("/documents/hn-codigo-trabajo-es").json()
    for provision in doc["provisions"][:5]:
        url = f"/documents/hn-codigo-trabajo-es/provisions/{quote(provision['article'], safe='')}"
        assert client.get(url).status_code == 200, provision["article"]


def test_similar_finds_the_same_article_in_other_languages(client: TestClient) -> None:
    body = client.get("/documents/ilo-c182-es/provisions/3/similar", params={"limit": 5}).json()
    assert body["source"]["citation"].startswith("Convenio")
    found = {(r["doc_id"], r["article"]) for r in body["results"]}
    assert all(doc != "ilo-c182-es" for doc, _ in found)
    assert ("ilo-c182-ka", "3") in found or ("ilo-c182-en", "3") in found
    georgian = client.get("/documents/ilo-c182-es/provisions/3/similar", params={"language": "ka"}).json()
    assert {r["language"] for r in georgian["results"]} == {"ka"}
    assert client.get("/documents/ilo-c182-es/provisions/xx/similar").status_code == 404


def test_compare_gives_one_column_per_jurisdiction(client: TestClient) -> None:
    body = client.get("/compare", params={"q": "working hours limit", "jurisdictions": "HN,INTL,GE"}).json()
    assert [c["jurisdiction"] for c in body["columns"]] == ["HN", "INTL", "GE"]
    for column in body["columns"]:
        assert all(r["jurisdiction"] == column["jurisdiction"] for r in column["results"])
    assert body["columns"][0]["results"]
    assert client.get("/compare", params={"q": "x", "jurisdictions": "XX"}).status_code == 422


def test_health_and_stats(client: TestClient, api_settings: Settings) -> None:
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["backend"] == "embedded" and health["documents"] == 8
    stats = client.get("/stats").json()
    assert stats["documents"] == 8 and stats["passages"] == health["passages"]
    assert stats["by_jurisdiction"]["INTL"]["documents"] == 4
    assert sum(v["documents"] for v in stats["by_language"].values()) == 8
    assert client.get("/openapi.json").json()["info"]["title"] == "laborlex"


@pytest.fixture()
def writable(tmp_path: Path) -> TestClient:
    settings = Settings(data_dir=tmp_path / "data", model_dir=shared_model_dir(), api_token="s3cret-token")
    return TestClient(create_app(settings, ingest=ingest_sources))


def test_uploads_need_an_ingest_function(tmp_path: Path) -> None:
    """The API does not import ingest; a server created without one refuses uploads."""
    settings = Settings(data_dir=tmp_path / "data", model_dir=shared_model_dir(), api_token="s3cret-token")
    client = TestClient(create_app(settings))
    files = {"file": ("usmca.txt", b"Article 1. Text.", "text/plain")}
    response = client.post("/documents", data={"id": "x", "title": "X", "language": "en"}, files=files, headers=TOKEN)
    assert response.status_code == 503 and response.json()["detail"]["field"] == "file"


def test_upload_and_delete_need_the_token(writable: TestClient) -> None:
    form = {"id": "usmca", "title": "USMCA Chapter 23", "language": "en", "jurisdiction": "INTL", "kind": "treaty"}
    content = (DOCS_DIR / "usmca-ch23-en.txt").read_bytes()
    files = {"file": ("usmca.txt", content, "text/plain")}
    assert writable.post("/documents", data=form, files=files).status_code == 401
    assert writable.post("/documents", data=form, files=files, headers={"Authorization": "Bearer wrong"}).status_code == 403
    created = writable.post("/documents", data=form, files=files, headers=TOKEN)
    assert created.status_code == 201, created.text
    assert created.json()["passages"] >= 2
    hits = writable.get("/search", params={"q": "internationally recognized labor rights"}).json()["results"]
    assert hits[0]["doc_id"] == "usmca"
    assert writable.delete("/documents/usmca").status_code == 401
    assert writable.delete("/documents/usmca", headers=TOKEN).status_code == 204
    assert writable.delete("/documents/usmca", headers=TOKEN).status_code == 404
    assert writable.get("/documents/usmca").status_code == 404


def test_bad_upload_is_refused_and_keeps_the_indexed_version(writable: TestClient) -> None:
    form = {"id": "usmca", "title": "USMCA", "language": "en"}
    good = {"file": ("usmca.txt", (DOCS_DIR / "usmca-ch23-en.txt").read_bytes(), "text/plain")}
    assert writable.post("/documents", data=form, files=good, headers=TOKEN).status_code == 201
    broken = {"file": ("usmca.pdf", b"%PDF-1.4 garbage", "application/pdf")}
    response = writable.post("/documents", data=form, files=broken, headers=TOKEN)
    assert response.status_code == 422
    assert response.json()["detail"]["field"] == "file" and "usmca.pdf" in response.json()["detail"]["message"]
    assert writable.get("/documents/usmca").status_code == 200
    bad_form = writable.post("/documents", data={**form, "language": "fr"}, files=good, headers=TOKEN)
    assert bad_form.status_code == 422 and "language" in str(bad_form.json()["detail"])


def test_writes_are_off_without_a_configured_token(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", model_dir=shared_model_dir())
    client = TestClient(create_app(settings))
    response = client.delete("/documents/anything", headers=TOKEN)
    assert response.status_code == 403 and "disabled" in response.json()["detail"]["message"]
