"""Amendment history end to end: real LFT text ingested by the real pipeline (real model),
then ``/history``, ``as_of`` and ``amended_after``/``amended_before`` through the API on the
embedded store and, when OPENSEARCH_URL is set, on a real OpenSearch cluster.

The LFT's first articles (1 to 19, from the pdftotext rendering of the real PDF) keep the
index small and still hold every case: original articles, articles added in 2012 and in
2019, the 2021 subcontracting reform (arts. 12-15), and arts. 15-A to 15-D, added in 2012
and repealed in 2021. ILO C182 (1999) stands for instruments dated by the manifest.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ingest.pipeline import ingest_path
from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from search_api.app import create_app
from tests.conftest import CORPUS_DIR, MANIFEST_PATH, shared_model_dir
from tests.laborlex_core.store.opensearch_fixtures import REAL_CLUSTER_REASON, real_cluster_settings

LFT_ARTICLES_1_TO_19 = slice(0, 323)  # lines of pdf-text/mx-lft-es.txt, up to "Artículo 20.-"
REPEALED_2021 = {"15-A", "15-B", "15-C", "15-D"}
NOTE_WORDS = re.compile(r"(?:reformad|adicionad|derogad)[oa] DOF", re.IGNORECASE)
SUBCONTRACTING = "subcontratación de personal servicios especializados"


@pytest.fixture(scope="module")
def history_manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not MANIFEST_PATH.exists():
        pytest.skip(f"real corpus not found at {CORPUS_DIR}")
    folder = tmp_path_factory.mktemp("history-corpus")
    lines = (CORPUS_DIR / "pdf-text" / "mx-lft-es.txt").read_text("utf-8").split("\n")
    lft = folder / "mx-lft-es-arts-1-19.txt"
    lft.write_text("\n".join(lines[LFT_ARTICLES_1_TO_19]), "utf-8")
    entries = {e["id"]: e for e in json.loads(MANIFEST_PATH.read_text("utf-8"))}
    manifest = folder / "manifest.json"
    manifest.write_text(
        json.dumps([
            {**entries["mx-lft-es"], "file": str(lft)},
            {**entries["ilo-c182-es"], "file": str(CORPUS_DIR / entries["ilo-c182-es"]["file"])},
        ]),
        "utf-8",
    )
    return manifest


def _ingest(manifest: Path, settings: Settings, store: Any) -> None:
    report = ingest_path(manifest, settings, store)
    assert not report.failures, report.failures


@pytest.fixture(scope="module")
def embedded_api(history_manifest: Path, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    settings = Settings(data_dir=tmp_path_factory.mktemp("history-index"), model_dir=shared_model_dir())
    _ingest(history_manifest, settings, EmbeddedDocumentStore(settings.store_path))
    return TestClient(create_app(settings))


@pytest.fixture(scope="module")
def opensearch_api(history_manifest: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> TestClient:
    if not os.environ.get("OPENSEARCH_URL"):
        pytest.skip(REAL_CLUSTER_REASON)
    from laborlex_core.store import opensearch_admin
    from laborlex_core.store.opensearch import OpenSearchBackend

    settings = real_cluster_settings(f"laborlex-history-{uuid.uuid4().hex[:8]}").model_copy(
        update={"data_dir": tmp_path_factory.mktemp("history-cluster"), "model_dir": shared_model_dir()}
    )
    store = OpenSearchBackend(settings)
    opensearch_admin.setup(store.client, settings)

    def drop() -> None:
        for index in opensearch_admin.alias_targets(store.client, settings.opensearch_index):
            store.client.indices.delete(index=index)
        store.client.indices.delete(index=f"{settings.opensearch_index}-docs", ignore_unavailable=True)

    request.addfinalizer(drop)
    _ingest(history_manifest, settings, store)
    return TestClient(create_app(settings))


@pytest.fixture(params=["embedded", "opensearch"])
def api(request: pytest.FixtureRequest) -> TestClient:
    return request.getfixturevalue(f"{request.param}_api")


def _search(api: TestClient, q: str, **params: str) -> list[dict[str, Any]]:
    response = api.get("/search", params={"q": q, "limit": 100, **params})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def _articles(hits: list[dict[str, Any]], doc_id: str = "mx-lft-es") -> set[str]:
    return {h["article"] for h in hits if h["doc_id"] == doc_id}


def test_history_of_an_article_added_then_repealed(api: TestClient) -> None:
    body = api.get("/documents/mx-lft-es/provisions/15-A/history").json()
    assert [(e["date"], e["action"], e["part"]) for e in body["events"]] == [
        ("2012-11-30", "added", "article"), ("2021-04-23", "repealed", "article")
    ]
    assert body["events"][0]["note"] == "Artículo adicionado DOF 30-11-2012. Derogado DOF 23-04-2021"
    assert (body["source"], body["added_on"], body["repealed"], body["repealed_on"]) == ("notes", "2012-11-30", True, "2021-04-23")
    article_3 = api.get("/documents/mx-lft-es/provisions/3/history").json()  # original text, amended by paragraph and whole
    assert {(e["date"], e["part"]) for e in article_3["events"]} >= {("2019-05-01", "paragraph"), ("1978-04-28", "article")}
    assert (article_3["added_on"], article_3["repealed"], article_3["amended_on"]) == (None, False, "2019-05-01")
    convention = api.get("/documents/ilo-c182-es/provisions/1/history").json()
    assert (convention["source"], convention["added_on"], convention["events"]) == ("manifest", "1999-01-01", [])


def test_history_unknown_provision_is_a_404_naming_it(api: TestClient) -> None:
    response = api.get("/documents/mx-lft-es/provisions/9999/history")
    assert response.status_code == 404 and response.json()["detail"]["field"] == "article"
    assert api.get("/documents/nope/provisions/1/history").json()["detail"]["field"] == "doc_id"


def test_notes_are_not_in_the_searchable_text(api: TestClient) -> None:
    hits = _search(api, "reformado adicionado DOF", mode="bm25")
    assert hits  # the preamble's "Nota de vigencia … Decreto DOF 01-05-2019" is content, and found
    assert not [h["snippet"] for h in hits if NOTE_WORDS.search(h["snippet"])]
    assert not _articles(hits) & REPEALED_2021  # "Se deroga." is all that is left of them: the note is gone
    repealed = _search(api, "Artículo 15-A Se deroga", doc="mx-lft-es")
    flagged = [h for h in repealed if h["article"] in REPEALED_2021]
    assert flagged and all(h["repealed"] and h["repealed_on"] == "2021-04-23" for h in flagged)


def test_as_of_leaves_out_what_did_not_exist_and_flags_what_changed(api: TestClient) -> None:
    in_2015 = _search(api, SUBCONTRACTING, as_of="2015-06-01", doc="mx-lft-es")
    assert REPEALED_2021 <= _articles(in_2015)  # in force in 2015: repealed only in 2021
    for hit in in_2015:
        later = [d for d in hit["amendment_dates"] if d > "2015-06-01"]
        assert hit["changed_after_as_of"] == later  # the text shown is today's: say so
    assert next(h for h in in_2015 if h["article"] == "15-A")["changed_after_as_of"] == ["2021-04-23"]
    assert "3o. Ter" not in {h["article"] for h in _search(api, "trabajo digno decente", as_of="2015-06-01")}
    in_2022 = _search(api, SUBCONTRACTING, as_of="2022-01-01", doc="mx-lft-es")
    assert in_2022 and not _articles(in_2022) & REPEALED_2021  # repealed by then: never law in force
    assert all(not h["repealed"] for h in in_2022)
    in_2010 = _search(api, SUBCONTRACTING, as_of="2010-01-01", doc="mx-lft-es")
    assert not _articles(in_2010) & REPEALED_2021  # not added yet
    child_labour = "peores formas de trabajo infantil"
    assert "ilo-c182-es" not in {h["doc_id"] for h in _search(api, child_labour, as_of="1998-12-31")}
    assert "ilo-c182-es" in {h["doc_id"] for h in _search(api, child_labour, as_of="2000-01-01")}


def test_amended_in_a_period(api: TestClient) -> None:
    reform_2021 = _search(api, SUBCONTRACTING, amended_after="2021", amended_before="2021")
    assert {"12", "13", "14", "15"} <= _articles(reform_2021)
    assert all(any(d.startswith("2021") for d in h["amendment_dates"]) for h in reform_2021)
    since_2020 = _search(api, "trabajo", amended_after="2020-01-01", doc="mx-lft-es")
    assert since_2020 and all(h["last_amended"] >= "2020-01-01" for h in since_2020)
    until_1980 = _search(api, "trabajo", amended_before="1980-12-31", doc="mx-lft-es")
    assert until_1980 and all(min(h["amendment_dates"]) <= "1980-12-31" for h in until_1980)
    # 2012 and 2021 but nothing in 2015: one range over the dates, not two conditions
    assert not _articles(_search(api, SUBCONTRACTING, amended_after="2015", amended_before="2015")) & REPEALED_2021


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"as_of": "2021"}, "as_of"),
        ({"as_of": "2021-02-32"}, "as_of"),
        ({"amended_after": "last year"}, "amended_after"),
        ({"amended_before": "2019-13"}, "amended_before"),
    ],
)
def test_bad_history_parameters_are_refused_naming_the_field(embedded_api: TestClient, params: dict[str, str], field: str) -> None:
    response = embedded_api.get("/search", params={"q": "trabajo", **params})
    assert response.status_code == 422
    assert response.json()["detail"]["field"] == field
