"""The OpenSearch backend over real HTTP against the osmem-server emulator (PyPI osmem-server).

The emulator speaks indices, mappings, bulk, BM25, filters, highlights and aggregations but
has no k-NN, ingest or search pipelines: these tests cover the lexical and per-document half
of the backend only. Nothing here shows that k-NN or native hybrid work (see
test_opensearch_real_cluster.py). The index is created by the same builder as in
production, with ``search_pipeline=False`` (the emulator has no _search/pipeline endpoint).
"""

from __future__ import annotations

import pytest

pytest.importorskip("osmem_server")
from opensearchpy import OpenSearch  # noqa: E402

from laborlex_core.settings import Settings  # noqa: E402
from laborlex_core.store import opensearch_admin  # noqa: E402
from laborlex_core.store.base import SearchBackend  # noqa: E402
from laborlex_core.store.opensearch import OpenSearchBackend, OpenSearchWriteError  # noqa: E402
from tests.laborlex_core.store.opensearch_fixtures import load, passage, small_corpus, unit_vector  # noqa: E402


@pytest.fixture()
def emulator_store(osmem_clone) -> OpenSearchBackend:
    settings = Settings(backend="opensearch", opensearch_url=osmem_clone.url, opensearch_password=None, opensearch_index="laborlex")
    client = OpenSearch(hosts=[osmem_clone.url])
    opensearch_admin.setup(client, settings, knn=True, search_pipeline=False)
    store = OpenSearchBackend(settings, client=client)
    load(store)
    return store


def test_emulator_setup_creates_alias_and_is_idempotent(emulator_store: OpenSearchBackend) -> None:
    client, settings = emulator_store.client, emulator_store.settings
    targets = opensearch_admin.alias_targets(client, "laborlex")
    assert len(targets) == 1 and targets[0].startswith("laborlex-")
    again = opensearch_admin.setup(client, settings, search_pipeline=False)
    assert not again.created_index and not again.created_docs_index and again.index == targets[0]
    assert isinstance(emulator_store, SearchBackend)


def test_emulator_counts_list_and_get_documents(emulator_store: OpenSearchBackend) -> None:
    assert emulator_store.count_documents() == 5
    listed = emulator_store.list_documents()
    assert [d["doc_id"] for d in listed] == ["ge-code", "mx-lft", "us-flsa"]
    mx = emulator_store.get_document("mx-lft")
    assert mx is not None and mx["passages"] == 3 and mx["provisions"] == 3 and mx["title"] == "Ley Federal del Trabajo"
    assert emulator_store.get_document("nope") is None
    assert emulator_store.document_text("mx-lft").startswith("Las horas")
    passages = emulator_store.document_passages("mx-lft")
    assert [p.meta["article"] for p in passages] == ["67", "22 Bis", "48"]
    assert passages[0].embedding is None
    assert emulator_store.document_passages("mx-lft", with_embeddings=True)[0].embedding is not None


def test_emulator_bm25_finds_folded_accents_and_applies_filters(emulator_store: OpenSearchBackend) -> None:
    found = emulator_store.bm25_retrieval("indemnizacion", top_k=5)
    assert found and found[0].meta["article"] == "48"
    assert all(d.score is not None and d.score > 0 for d in found)
    scores = [d.score for d in emulator_store.bm25_retrieval("trabajo salario", top_k=5)]
    assert scores == sorted(scores, reverse=True)
    us_only = emulator_store.bm25_retrieval("overtime trabajo", {"field": "meta.jurisdiction", "operator": "==", "value": "US"})
    assert {d.meta["jurisdiction"] for d in us_only} == {"US"}
    none = emulator_store.bm25_retrieval("trabajo", {"field": "meta.jurisdiction", "operator": "in", "value": []})
    assert none == []


def test_emulator_bm25_returns_highlights_in_meta(emulator_store: OpenSearchBackend) -> None:
    top = emulator_store.bm25_retrieval("indemnización", top_k=1)[0]
    assert any("<mark>" in fragment for fragment in top.meta["highlights"])


def test_emulator_meta_is_returned_as_written(emulator_store: OpenSearchBackend) -> None:
    written = small_corpus()["mx-lft"][1]
    read = emulator_store.document_passages("mx-lft")[1]
    assert read.id == written.id and read.content == written.content and read.meta == written.meta


def test_emulator_replace_document_swaps_passages(emulator_store: OpenSearchBackend) -> None:
    new = [passage("mx-lft", "67", "Texto reformado sobre jornada.", "es", "MX", 1, unit_vector(1, 0, 0))]
    assert emulator_store.replace_document("mx-lft", new, {"doc_id": "mx-lft", "title": "Ley Federal del Trabajo"}, "x") == 1
    assert [p.content for p in emulator_store.document_passages("mx-lft")] == ["Texto reformado sobre jornada."]
    assert emulator_store.get_document("mx-lft")["passages"] == 1
    assert emulator_store.count_documents() == 3


def test_emulator_replace_document_rejects_foreign_passages(emulator_store: OpenSearchBackend) -> None:
    foreign = small_corpus()["us-flsa"]
    with pytest.raises(ValueError, match="us-flsa"):
        emulator_store.replace_document("mx-lft", foreign, {"doc_id": "mx-lft"})
    assert emulator_store.get_document("mx-lft")["passages"] == 3  # untouched


def test_emulator_refused_passage_is_reported_with_its_document(emulator_store: OpenSearchBackend) -> None:
    bad = passage("mx-lft", "67", "texto", "es", "MX", 1, unit_vector(1, 0, 0))
    bad.meta["ordinal"] = "not-a-number"  # the integer field refuses it
    before = [p.id for p in emulator_store.document_passages("mx-lft")]
    with pytest.raises(OpenSearchWriteError, match="mx-lft"):
        emulator_store.replace_document("mx-lft", [bad], {"doc_id": "mx-lft"})
    # the write failed before anything was deleted: the indexed version is all still there
    assert [p.id for p in emulator_store.document_passages("mx-lft")] == before
    assert emulator_store.get_document("mx-lft")["passages"] == 3


def test_emulator_delete_document(emulator_store: OpenSearchBackend) -> None:
    assert emulator_store.delete_document("ge-code") is True
    assert emulator_store.get_document("ge-code") is None
    assert emulator_store.document_passages("ge-code") == []
    assert emulator_store.delete_document("ge-code") is False


def test_emulator_facet_counts(emulator_store: OpenSearchBackend) -> None:
    assert emulator_store.facet_counts("jurisdiction") == {"MX": 3, "GE": 1, "US": 1}
    assert emulator_store.facet_counts("language", {"field": "meta.jurisdiction", "operator": "!=", "value": "MX"}) == {"ka": 1, "en": 1}
    with pytest.raises(ValueError):
        emulator_store.facet_counts("content")


def test_emulator_haystack_protocol_methods(emulator_store: OpenSearchBackend) -> None:
    from haystack.document_stores.errors import DuplicateDocumentError
    from haystack.document_stores.types import DuplicatePolicy

    es = emulator_store.filter_documents({"field": "meta.language", "operator": "==", "value": "es"})
    assert len(es) == 3 and all(d.embedding is not None for d in es)
    with pytest.raises(DuplicateDocumentError):
        emulator_store.write_documents([es[0]])
    assert emulator_store.write_documents([es[0]], DuplicatePolicy.SKIP) == 0
    assert emulator_store.write_documents([es[0]], DuplicatePolicy.OVERWRITE) == 1
    emulator_store.delete_documents([es[0].id])
    assert emulator_store.count_documents() == 4
    data = emulator_store.to_dict()
    assert "password" not in str(data) and data["init_parameters"]["index"] == "laborlex"


def test_emulator_reindex_swaps_alias_and_keeps_passages(emulator_store: OpenSearchBackend) -> None:
    client, settings = emulator_store.client, emulator_store.settings
    before = opensearch_admin.alias_targets(client, "laborlex")
    new, old = opensearch_admin.reindex(client, settings)
    assert old == before and opensearch_admin.alias_targets(client, "laborlex") == [new]
    assert not client.indices.exists(index=before[0])
    assert emulator_store.count_documents() == 5
    assert emulator_store.bm25_retrieval("indemnizacion")[0].meta["article"] == "48"


def test_emulator_status(emulator_store: OpenSearchBackend) -> None:
    result = opensearch_admin.status(emulator_store.client, emulator_store.settings)
    assert result["health"] in ("green", "yellow") and result["passages"] == 5 and result["documents"] == 3
    assert result["search_pipeline"] is None  # the emulator has no search pipelines


def test_setup_maps_sentence_vectors_on_an_index_made_before_them(osmem_clone) -> None:
    """An index from before snippet sentence vectors (strict mapping without the field) gets
    the field mapped in place by setup, so new passages carrying them are not refused."""
    from laborlex_core.store import opensearch_mappings as mappings

    settings = Settings(backend="opensearch", opensearch_url=osmem_clone.url, opensearch_password=None, opensearch_index="old")
    client = OpenSearch(hosts=[osmem_clone.url])
    body = mappings.passage_index_body()
    added = (mappings.SENTENCES_FIELD, mappings.PROVISION_FIELD, mappings.MATCH_TERMS_FIELD)
    for name in added:
        del body["mappings"]["properties"][name]
    client.indices.create(index="old-1", body=body)
    client.indices.update_aliases(body=mappings.alias_swap_actions("old", "old-1", []))
    assert not set(added) & set(client.indices.get_mapping(index="old-1")["old-1"]["mappings"]["properties"])
    opensearch_admin.setup(client, settings, search_pipeline=False)
    assert set(added) <= set(client.indices.get_mapping(index="old-1")["old-1"]["mappings"]["properties"])
    store = OpenSearchBackend(settings, client=client)
    load(store)  # passages now carry the match fields: accepted, and counted
    assert store.provision_matches("trabajo").total == 3
