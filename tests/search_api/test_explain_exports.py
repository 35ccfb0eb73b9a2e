"""Why-this-result, exports, bulk provisions and batch search through the real API on the
real index slice (tests/search_api/conftest.py)."""

from __future__ import annotations

import csv
import io
import json

import jsonschema
import pytest
from fastapi.testclient import TestClient

from laborlex_core.settings import Settings
from search_api.app import create_app
from search_api.bulk import MAX_BATCH_QUERIES
from search_api.exports import CSV_COLUMNS
from tests.search_api.csl_schema import CSL_DATA_SCHEMA

QUERIES = ("worst forms of child labour", "peores formas de trabajo infantil", "Honduras jornada diurna máxima")


@pytest.fixture(scope="module")
def client(api_settings: Settings) -> TestClient:
    return TestClient(create_app(api_settings))


@pytest.fixture(scope="module")
def explained(client: TestClient) -> dict[tuple[str, str], list[dict]]:
    """One explained search per query and mode, shared by the checks below."""
    out = {}
    for mode in ("hybrid", "bm25", "dense"):
        for query in QUERIES:
            answer = client.get("/search", params={"q": query, "mode": mode, "limit": 8, "explain": "true"})
            assert answer.status_code == 200, answer.text
            out[(mode, query)] = answer.json()["results"]
    return out


def test_contributions_add_up_to_the_fused_score(explained: dict) -> None:
    checked = 0
    for (mode, query), results in explained.items():
        assert results, (mode, query)
        for hit in results:
            fusion = hit["explanation"]["fusion"]
            total = sum(entry["contribution"] for entry in fusion["lists"])
            assert total == pytest.approx(hit["score"], rel=1e-9, abs=1e-12), (mode, query, hit["citation"], fusion)
            assert fusion["fused_score"] == pytest.approx(hit["score"])
            assert {entry["list"] for entry in fusion["lists"]} <= set(hit["ranks"]) | {"word_match"}
            checked += 1
    assert checked >= 40


def test_each_list_rank_is_the_rank_fusion_kept(explained: dict) -> None:
    for hit in explained[("hybrid", QUERIES[0])]:
        for entry in hit["explanation"]["fusion"]["lists"]:
            if entry["list"] not in ("translation", "word_match"):
                assert entry["rank"] >= hit["ranks"][entry["list"]]  # the best passage's rank, never better than the provision's
                assert entry["contribution"] == pytest.approx(entry["weight"] / (hit["explanation"]["fusion"]["k"] + entry["rank"])) or not entry["counted"]


def test_lexical_origins_typed_stemmed_and_cross_lingual(explained: dict) -> None:
    origins: dict[str, list[dict]] = {}
    for (mode, _), results in explained.items():
        for hit in results:
            for match in hit["explanation"]["lexical"]:
                origins.setdefault(match["origin"], []).append({**match, "language": hit["language"]})
    assert {"typed", "stemmed", "cross_lingual"} <= set(origins), set(origins)
    for match in origins["cross_lingual"]:
        assert match["source"] == "search_api/data/cross_terms.json" and match["pair"].endswith(match["language"])
        assert 0 < match["score"] <= 1
    assert all(match["matched"] for group in origins.values() for match in group)


def test_dense_side_gives_the_cosine_and_the_window(explained: dict) -> None:
    for hit in explained[("dense", QUERIES[1])]:
        dense = hit["explanation"]["dense"]
        if hit["ranks"].keys() == {"translation"}:
            continue
        assert -1.0 <= dense["cosine"] <= dense["best_cosine"] + 1e-6 <= 1.0 + 1e-6
        assert 0 <= dense["chunk"] < dense["chunks"] and dense["excerpt"]


def test_default_search_carries_no_explanation(client: TestClient) -> None:
    hits = client.get("/search", params={"q": QUERIES[0], "limit": 3}).json()["results"]
    assert hits and all(hit["explanation"] is None and hit["formal_citation"] for hit in hits)


def test_csv_export_parses_back(client: TestClient) -> None:
    params = {"q": QUERIES[1], "limit": 6}
    as_json = client.get("/search", params=params).json()["results"]
    answer = client.get("/search", params={**params, "format": "csv"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text, newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(r["doc_id"], r["article"]) for r in rows] == [(h["doc_id"], h["article"]) for h in as_json]
    assert [r["citation"] for r in rows] == [h["formal_citation"] for h in as_json]
    link = rows[0]["link"].removeprefix("http://testserver")
    assert client.get(link).json()["provision"]["article"] == rows[0]["article"]


def test_csl_json_export_validates_against_the_csl_schema(client: TestClient) -> None:
    answer = client.get("/search", params={"q": QUERIES[2], "limit": 5, "format": "csl-json"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/vnd.citationstyles.csl+json")
    items = answer.json()
    jsonschema.validate(items, CSL_DATA_SCHEMA)
    assert items and all(item["URL"].startswith("http://testserver/documents/") for item in items)
    assert any(item.get("issued", {}).get("date-parts") for item in items)
    with pytest.raises(jsonschema.ValidationError):  # the check can fail: a variable CSL does not know
        jsonschema.validate([{**items[0], "snippet": "x"}], CSL_DATA_SCHEMA)


@pytest.mark.parametrize("fmt", ["csv", "csl-json"])
def test_compare_exports(client: TestClient, fmt: str) -> None:
    answer = client.get("/compare", params={"q": "child labour", "jurisdictions": "INTL,HN", "limit": 2, "format": fmt})
    assert answer.status_code == 200, answer.text
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(answer.text, newline="")))
        assert {r["column"] for r in rows} <= {"INTL", "HN"} and rows
    else:
        jsonschema.validate(answer.json(), CSL_DATA_SCHEMA)


def test_instrument_streams_as_ndjson_provisions(client: TestClient) -> None:
    detail = client.get("/documents/ilo-c182-es").json()
    with client.stream("GET", "/documents/ilo-c182-es/provisions", params={"format": "ndjson"}) as answer:
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(line) for line in answer.iter_lines() if line]
    assert [line["article"] for line in lines] == [p["article"] for p in detail["provisions"]]
    article_3 = next(line for line in lines if line["article"] == "3")
    assert article_3["formal_citation"] == "Convenio sobre las peores formas de trabajo infantil, 1999 (núm. 182), artículo 3"
    assert article_3["text"].startswith("Artículo 3") and article_3["link"].endswith("/documents/ilo-c182-es/provisions/3")


def test_batch_search_streams_one_line_per_query(client: TestClient) -> None:
    body = {"queries": [{"q": QUERIES[0], "limit": 2, "id": "a"}, {"q": QUERIES[2], "jurisdiction": ["HN"], "limit": 1}]}
    answer = client.post("/search/batch", json=body)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in answer.text.splitlines()]
    assert [(line["index"], line["id"], len(line["results"])) for line in lines] == [(0, "a", 2), (1, None, 1)]
    assert lines[1]["results"][0]["jurisdiction"] == "HN"
    single = client.get("/search", params={"q": QUERIES[0], "limit": 2}).json()["results"]
    assert [h["passage_id"] for h in lines[0]["results"]] == [h["passage_id"] for h in single]


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status", "field"),
    [
        ("get", "/search", {"params": {"q": "x", "format": "xml"}}, 422, "format"),
        ("get", "/compare", {"params": {"q": "x", "format": "pdf"}}, 422, "format"),
        ("get", "/documents/ilo-c182-es/provisions", {"params": {"format": "csv"}}, 422, "format"),
        ("get", "/documents/no-such-doc/provisions", {}, 404, "doc_id"),
        ("post", "/search/batch", {"json": {"queries": [{"q": "x"}] * (MAX_BATCH_QUERIES + 1)}}, 422, "queries"),
        ("post", "/search/batch", {"json": {"queries": []}}, 422, "queries"),
        ("post", "/search/batch", {"content": b"{not json"}, 422, "body"),
        ("post", "/search/batch", {"json": {"queries": [{"q": "x", "limit": 99}]}}, 422, "queries.0.limit"),
        ("post", "/search/batch", {"json": {"queries": [{"q": "x", "jurisdiction": ["XX"]}]}}, 422, "queries.0.jurisdiction.0"),
        ("post", "/search/batch", {"json": {"queries": [{"q": "  "}]}}, 422, "queries.0.q"),
        ("post", "/search/batch", {"content": b"{" + b" " * 300_000 + b"}"}, 413, "body"),
    ],
)
def test_bad_parameters_name_the_field(client: TestClient, method: str, url: str, kwargs: dict, status: int, field: str) -> None:
    answer = getattr(client, method)(url, **kwargs)
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"]["field"] == field
