"""Against a real OpenSearch cluster: skipped without OPENSEARCH_URL.

Run: laborlex opensearch local start (a 3.5.0 node with k-NN from Maven Central; .ci/run does
this), then OPENSEARCH_URL=http://127.0.0.1:9200 pytest tests/laborlex_core/store -k real_cluster
Each test works in its own alias (laborlex-test-<random>) and drops it afterwards.
"""

from __future__ import annotations

import os
import uuid

import pytest
from haystack import Document
from haystack.document_stores.errors import DuplicateDocumentError
from opensearchpy.exceptions import ConnectionTimeout

from laborlex_core.store import opensearch as opensearch_module
from laborlex_core.store import opensearch_admin
from laborlex_core.store.opensearch import OpenSearchBackend
from tests.laborlex_core.store.opensearch_fixtures import (
    NATIVE_HYBRID_REASON,
    REAL_CLUSTER_REASON,
    has_neural_search,
    load,
    passage,
    real_cluster_settings,
    small_corpus,
    unit_vector,
)

pytestmark = pytest.mark.skipif(not os.environ.get("OPENSEARCH_URL"), reason=REAL_CLUSTER_REASON)


def _drop(store: OpenSearchBackend) -> None:
    for index in opensearch_admin.alias_targets(store.client, store.alias):
        store.client.indices.delete(index=index)
    store.client.indices.delete(index=store.docs_index, ignore_unavailable=True)


@pytest.fixture()
def empty_store():
    store = OpenSearchBackend(real_cluster_settings(f"laborlex-test-{uuid.uuid4().hex[:8]}"))
    yield store
    _drop(store)


@pytest.fixture()
def cluster_store(empty_store: OpenSearchBackend):
    store = empty_store
    report = opensearch_admin.setup(store.client, store.settings)
    assert report.created_index and report.version is not None
    assert opensearch_admin.KNN_PLUGIN in (report.plugins or ())
    if has_neural_search(store.client):
        assert report.search_pipeline == store.settings.opensearch_search_pipeline
    else:  # not attempted, and said so
        assert report.search_pipeline is None and "neural-search" in (report.search_pipeline_error or "")
    load(store)
    return store


def test_real_cluster_status(cluster_store: OpenSearchBackend) -> None:
    result = opensearch_admin.status(cluster_store.client, cluster_store.settings)
    assert result["passages"] == 5 and result["documents"] == 3
    assert result["health"] in ("green", "yellow") and result["version"]
    # the backend reads the same version (it picks the hybrid body by it)
    assert cluster_store.version == opensearch_admin.cluster_version(cluster_store.client) >= (2, 19, 0)
    assert opensearch_admin.KNN_PLUGIN in result["plugins"]
    expected = cluster_store.settings.opensearch_search_pipeline if has_neural_search(cluster_store.client) else None
    assert result["search_pipeline"] == expected


def test_real_cluster_setup_is_idempotent_and_checks_the_dimension(cluster_store: OpenSearchBackend) -> None:
    again = opensearch_admin.setup(cluster_store.client, cluster_store.settings)
    assert not again.created_index and not again.created_docs_index and again.embedding_dim == 384
    with pytest.raises(opensearch_admin.SetupError, match="384-dimensional.*768"):
        opensearch_admin.setup(cluster_store.client, cluster_store.settings, embedding_dim=768)


def test_real_cluster_index_takes_the_model_dimension(empty_store: OpenSearchBackend) -> None:
    report = opensearch_admin.setup(empty_store.client, empty_store.settings, embedding_dim=8)
    assert report.embedding_dim == 8 == opensearch_admin.index_dimension(empty_store.client, report.index)
    doc = passage("us-flsa", "207", "overtime after forty hours", "en", "US", 1, unit_vector(1, 0, dim=8))
    empty_store.replace_document("us-flsa", [doc], {"doc_id": "us-flsa"})
    assert empty_store.embedding_retrieval(unit_vector(1, 0, dim=8), top_k=1)[0].id == doc.id
    new, _ = opensearch_admin.reindex(empty_store.client, empty_store.settings)  # keeps 8
    assert opensearch_admin.index_dimension(empty_store.client, new) == 8


def test_real_cluster_reference_analysis_keeps_22_bis(cluster_store: OpenSearchBackend) -> None:
    tokens = cluster_store.client.indices.analyze(
        index=cluster_store.alias, body={"analyzer": "laborlex_ref", "text": "Artículo 22-Bis 330-A § 207"}
    )
    terms = {t["token"] for t in tokens["tokens"]}
    assert {"22-bis", "22", "bis", "330-a", "330", "207"} <= terms


def test_real_cluster_spanish_stemming_and_folding(cluster_store: OpenSearchBackend) -> None:
    assert cluster_store.bm25_retrieval("indemnizaciones", top_k=1)[0].meta["article"] == "48"
    assert cluster_store.bm25_retrieval("indemnizacion", top_k=1)[0].meta["article"] == "48"


def test_real_cluster_bm25_filter_and_highlights_once(cluster_store: OpenSearchBackend) -> None:
    found = cluster_store.bm25_retrieval("trabajo salario", {"field": "meta.jurisdiction", "operator": "==", "value": "MX"})
    assert found and {d.meta["jurisdiction"] for d in found} == {"MX"}
    for document in found:
        highlights = document.meta["highlights"]
        assert highlights and all("<mark>" in h for h in highlights)
        plain = [h.replace("<mark>", "").replace("</mark>", "") for h in highlights]
        assert len(plain) == len(set(plain)), highlights  # es/en/ka sub-fields merged, not repeated


def test_real_cluster_knn_with_filter(cluster_store: OpenSearchBackend) -> None:
    found = cluster_store.embedding_retrieval(unit_vector(1, 0, 0), {"field": "meta.language", "operator": "==", "value": "en"}, top_k=3)
    assert [d.meta["doc_id"] for d in found] == ["us-flsa"]
    assert -1.0 <= found[0].score <= 1.0
    exact = cluster_store.embedding_retrieval(unit_vector(1, 0, 0), top_k=1)[0]
    assert exact.meta["article"] == "67" and exact.score == pytest.approx(1.0, abs=1e-5)  # (1+cos)/2 mapped back


def test_real_cluster_native_hybrid_with_filter(cluster_store: OpenSearchBackend) -> None:
    if not has_neural_search(cluster_store.client):
        pytest.skip(NATIVE_HYBRID_REASON)
    found = cluster_store.hybrid_retrieval(
        "indemnización", unit_vector(0, 0, 1), {"field": "meta.jurisdiction", "operator": "==", "value": "MX"}, top_k=5
    )
    assert found[0].meta["article"] == "48" and found[0].meta["ranks"] == {"hybrid": 1}
    assert {d.meta["jurisdiction"] for d in found} == {"MX"}


def test_real_cluster_hybrid_query_without_neural_search_is_refused(cluster_store: OpenSearchBackend) -> None:
    """Without the plugin the cluster refuses the hybrid query outright (nothing silently degrades)."""
    if has_neural_search(cluster_store.client):
        pytest.skip("the cluster has neural-search")
    from opensearchpy.exceptions import RequestError

    with pytest.raises(RequestError):
        cluster_store.hybrid_retrieval("indemnización", unit_vector(0, 0, 1), top_k=5)


def test_real_cluster_replace_and_delete(cluster_store: OpenSearchBackend) -> None:
    passages = cluster_store.document_passages("mx-lft", with_embeddings=True)[:1]
    assert cluster_store.replace_document("mx-lft", passages, {"doc_id": "mx-lft"}) == 1
    assert cluster_store.count_documents() == 3
    assert [d.id for d in cluster_store.document_passages("mx-lft")] == [passages[0].id]
    assert cluster_store.delete_document("mx-lft") and cluster_store.get_document("mx-lft") is None
    assert cluster_store.count_documents() == 2 and not cluster_store.delete_document("mx-lft")


def test_real_cluster_load_documents_writes_what_replace_document_writes(empty_store: OpenSearchBackend) -> None:
    """``load_documents`` (a bulk copy's writes) sends the passages and records
    ``replace_document`` sends: a foreign passage is refused before anything is sent, and a
    passage the index refuses is reported under its document, whose record is then not written."""
    store = empty_store
    opensearch_admin.setup(store.client, store.settings, search_pipeline=False)
    corpus = small_corpus()
    with pytest.raises(ValueError, match="us-flsa"):
        store.load_documents([("mx-lft", corpus["mx-lft"], {"doc_id": "mx-lft"}, None), ("ge-code", corpus["us-flsa"], {}, None)])
    store.refresh()
    assert store.count_documents() == 0 and store.list_documents() == []
    refused = passage("us-flsa", "207", "overtime", "en", "US", 1, unit_vector(1, 0, 0))
    refused = Document(id="us-flsa#00000.00", content=refused.content, meta={**refused.meta, "ordinal": "first"}, embedding=refused.embedding)
    meta = {"doc_id": "mx-lft", "title": "Ley Federal del Trabajo"}
    failures = store.load_documents([("mx-lft", corpus["mx-lft"], meta, "texto"), ("us-flsa", [refused], {"doc_id": "us-flsa"}, None)])
    assert list(failures) == ["us-flsa"] and failures["us-flsa"][0].startswith("us-flsa#00000.00: 400")
    store.refresh()
    loaded = store.get_document("mx-lft")
    assert [d["doc_id"] for d in store.list_documents()] == ["mx-lft"] and store.count_documents() == 3
    assert (loaded["passages"], loaded["provisions"], store.document_text("mx-lft")) == (3, 3, "texto")
    written = [(d.id, d.content, d.meta) for d in store.document_passages("mx-lft")]
    assert store.replace_document("mx-lft", corpus["mx-lft"], meta, "texto") == 3
    assert [(d.id, d.content, d.meta) for d in store.document_passages("mx-lft")] == written
    replaced = store.get_document("mx-lft")
    assert loaded.pop("updated_at") <= replaced.pop("updated_at") and loaded == replaced


def test_real_cluster_reindex_keeps_search_working(cluster_store: OpenSearchBackend) -> None:
    new, old = opensearch_admin.reindex(cluster_store.client, cluster_store.settings)
    assert opensearch_admin.alias_targets(cluster_store.client, cluster_store.alias) == [new] and old
    assert not any(cluster_store.client.indices.exists(index=i) for i in old)
    assert cluster_store.count_documents() == 5
    assert cluster_store.embedding_retrieval(unit_vector(0, 0, 1), top_k=1)[0].meta["article"] == "48"
    assert cluster_store.bm25_retrieval("overtime", top_k=1)[0].meta["doc_id"] == "us-flsa"


def test_real_cluster_long_meta_string_is_accepted(cluster_store: OpenSearchBackend) -> None:
    """A meta string over Lucene's 32,766-byte term limit no longer rejects the passage."""
    note = "ა" * 12000  # 36,000 bytes in UTF-8
    doc = passage("us-flsa", "207", "overtime compensation", "en", "US", 1, unit_vector(0.8, 0, 0.2), note=note)
    assert cluster_store.replace_document("us-flsa", [doc], {"doc_id": "us-flsa"}) == 1
    (stored,) = cluster_store.document_passages("us-flsa")
    assert stored.meta["note"] == note  # kept in _source, just not indexed as a term
    short = passage("us-flsa", "207", "overtime compensation", "en", "US", 1, unit_vector(0.8, 0, 0.2), note="short")
    cluster_store.replace_document("us-flsa", [short], {"doc_id": "us-flsa"})
    assert [d.id for d in cluster_store.filter_documents({"field": "meta.note", "operator": "==", "value": "short"})] == [short.id]


def test_real_cluster_list_documents_pages_past_one_page(cluster_store: OpenSearchBackend, monkeypatch) -> None:
    monkeypatch.setattr(opensearch_module, "PAGE_SIZE", 2)  # three records, pages of two
    assert [d["doc_id"] for d in cluster_store.list_documents()] == ["ge-code", "mx-lft", "us-flsa"]
    assert len(cluster_store.document_passages("mx-lft")) == 3  # passages page the same way


class _AnswerLost:
    """client.bulk that reaches the server but whose first answer is lost (a timeout)."""

    def __init__(self, bulk):
        self.bulk = bulk
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        response = self.bulk(*args, **kwargs)
        if self.calls == 1:
            raise ConnectionTimeout("TIMEOUT", "read timed out (injected after the write)", None)
        return response


def _new_passages(n: int) -> list[Document]:
    return [passage("us-flsa", f"9{i}", f"passage {i} on overtime", "en", "US", 10 + i, unit_vector(0, 1, i)) for i in range(n)]


def test_real_cluster_resent_bulk_is_not_a_duplicate(cluster_store: OpenSearchBackend, monkeypatch) -> None:
    """A _bulk of creates applied, answer lost, re-sent by with_retries: written, not 'duplicate'."""
    lost = _AnswerLost(cluster_store.client.bulk)
    monkeypatch.setattr(cluster_store.client, "bulk", lost)
    documents = _new_passages(3)
    assert cluster_store.write_documents(documents) == 3
    assert lost.calls == 2 and cluster_store.count_documents() == 8


def test_real_cluster_resent_bulk_still_reports_a_real_duplicate(cluster_store: OpenSearchBackend, monkeypatch) -> None:
    existing = cluster_store.document_passages("mx-lft")[0]
    clash = Document(id=existing.id, content="different text", meta=dict(existing.meta))
    lost = _AnswerLost(cluster_store.client.bulk)
    monkeypatch.setattr(cluster_store.client, "bulk", lost)
    with pytest.raises(DuplicateDocumentError, match=existing.id):
        cluster_store.write_documents([*_new_passages(2), clash])
    assert lost.calls == 2
    assert cluster_store.document_passages("mx-lft")[0].content == existing.content  # untouched


def test_real_cluster_ranked_lists_in_one_msearch_equal_the_single_calls(cluster_store: OpenSearchBackend, monkeypatch) -> None:
    from laborlex_core.store.base import ListRequest

    mx = {"field": "meta.jurisdiction", "operator": "==", "value": "MX"}
    requests = [
        ListRequest(query="trabajo salario"),
        ListRequest(query="trabajo salario", filters=mx, top_k=3),
        ListRequest(query="   "),  # nothing to search: an empty list, not a request
        ListRequest(embedding=unit_vector(1, 0, 0), top_k=2),
        ListRequest(embedding=unit_vector(1, 0, 0), filters={"field": "meta.language", "operator": "==", "value": "en"}),
    ]
    single = [
        cluster_store.bm25_retrieval(r.query, r.filters, r.top_k) if r.query is not None
        else cluster_store.embedding_retrieval(r.embedding, r.filters, r.top_k)
        for r in requests
    ]
    sent: list[int] = []
    real_msearch = cluster_store.client.msearch

    def counted(**kwargs):
        sent.append(len(kwargs["body"]) // 2)
        return real_msearch(**kwargs)

    def refused(**kwargs):
        raise AssertionError("a ranked list went out as its own _search")

    monkeypatch.setattr(cluster_store.client, "msearch", counted)
    monkeypatch.setattr(cluster_store.client, "search", refused)
    together = cluster_store.ranked_lists(requests)
    assert sent == [4]  # one round trip for the four non-empty lists
    assert together[2] == [] and all(single[i] for i in (0, 1, 3, 4))
    for mine, reference in zip(together, single):
        assert [(d.id, d.meta) for d in mine] == [(d.id, d.meta) for d in reference]  # highlights included
        assert [d.score for d in mine] == pytest.approx([d.score for d in reference], abs=1e-6)


def test_real_cluster_bulk_loading_restores_settings_and_copy_replaces_held_documents(cluster_store: OpenSearchBackend, tmp_path) -> None:
    from laborlex_core.store.embedded import EmbeddedDocumentStore
    from laborlex_core.store.opensearch_copy import copy_store

    client, alias = cluster_store.client, cluster_store.alias
    client.indices.put_settings(index=alias, body={"index": {"refresh_interval": "7s"}})

    def index_settings() -> tuple[str | None, str]:
        values = next(iter(client.indices.get_settings(index=alias).values()))["settings"]["index"]
        return values.get("refresh_interval"), values["number_of_replicas"]

    source = EmbeddedDocumentStore(tmp_path / "index.sqlite3")
    load(source)  # the same three documents the node holds, so the copy replaces them
    source.replace_document("mx-lft", source.document_passages("mx-lft", with_embeddings=True)[:1], {"doc_id": "mx-lft"})
    assert cluster_store.delete_document("us-flsa")  # ... but this one, which it loads unrefreshed
    with opensearch_admin.bulk_loading(client, alias):
        assert index_settings() == ("-1", "0")
        report = copy_store(source, cluster_store, 384)
        # no periodic refresh here: what was loaded is searchable on return by the copy's own refresh
        assert len(cluster_store.document_passages("mx-lft")) == 1  # the held document's leftover passage is gone
        assert cluster_store.count_documents() == source.count_documents()
        assert [d["doc_id"] for d in cluster_store.list_documents()] == ["ge-code", "mx-lft", "us-flsa"]  # records too
    assert index_settings() == ("7s", "0")
    assert report.failures == {} and report.documents == 3


MX = {"field": "meta.jurisdiction", "operator": "==", "value": "MX"}
EN_ONLY = {"field": "meta.language", "operator": "==", "value": "en"}
# (query, filters, ranked provisions to include, translated (text, filter) pairs)
MATCH_CASES = [
    ("trabajo", None, [], []),
    ("trabajo salario overtime", None, [("ge-code", "27")], []),  # a provision found by meaning only
    ("horas", MX, [("us-flsa", "207"), ("mx-lft", "67"), ("nope", "1")], [("overtime", EN_ONLY)]),
    ("the de las", None, [], []),  # stopwords in one language or another: nothing matches on either
    ("ზეგანაკვეთური salario", {"field": "meta.language", "operator": "in", "value": ["ka", "es"]}, [], []),
]


def test_real_cluster_counts_and_pages_matches_as_the_embedded_store(cluster_store: OpenSearchBackend, tmp_path) -> None:
    """Facets and ``total`` count every matching provision (distinct (doc, article), from
    aggregations), exactly as the embedded store's masks do, and the pages past the ranking run
    to the last of them, each provision once."""
    from laborlex_core.store.embedded import EmbeddedDocumentStore

    reference = EmbeddedDocumentStore(tmp_path / "index.sqlite3")
    load(reference)
    fields = ("jurisdiction", "language", "kind")
    for query, filters, include, also in MATCH_CASES:
        ours = cluster_store.provision_matches(query, filters, include=include, also=also)
        theirs = reference.provision_matches(query, filters, include=include, also=also)
        assert (ours.total, ours.facet_counts(fields)) == (theirs.total, theirs.facet_counts(fields)), query
        ranked = {(d, a) for d, a in include if d != "nope"}  # the ones the index holds
        pages = [p for offset in range(0, 12, 2) for p in ours.page(ranked, offset, 2)]
        keys = [(p.meta["doc_id"], p.meta["article"]) for p in pages]
        assert len(keys) == len(set(keys)) and not set(keys) & ranked, query
        assert len(keys) + len(ranked) == ours.total, query  # paging reaches the last match
        assert set(keys) == {(p.meta["doc_id"], p.meta["article"]) for p in theirs.page(ranked, 0, 100)}, query
    assert cluster_store.provision_matches("trabajo").total == 3
    with pytest.raises(ValueError, match="no facet counted on date"):
        cluster_store.provision_matches("trabajo").facet_counts(["date"])


NARROWINGS = [
    MX,
    {"field": "meta.language", "operator": "in", "value": ["en", "es"]},
    {"operator": "AND", "conditions": [MX, {"field": "meta.kind", "operator": "==", "value": "statute"}]},
]


@pytest.mark.parametrize("narrowing", NARROWINGS)
def test_real_cluster_counts_a_facet_selection_in_the_same_request(cluster_store: OpenSearchBackend, narrowing, tmp_path) -> None:
    """A search page's facets are counted under the user's other filters and its ``total``
    under the facet selection too: both come from one ``_msearch`` and equal counting under
    both filters (and the embedded store's narrowing of its own count)."""
    from laborlex_core.store.embedded import EmbeddedDocumentStore

    reference = EmbeddedDocumentStore(tmp_path / "index.sqlite3")
    load(reference)
    fields = ("jurisdiction", "language", "kind")
    sent: list[int] = []
    msearch = cluster_store.client.msearch

    def counted(*args, **kwargs):
        sent.append(len(kwargs["body"]) // 2)
        return msearch(*args, **kwargs)

    cluster_store.client.msearch = counted  # type: ignore[method-assign]
    try:
        for query, filters, include, also in MATCH_CASES:
            both = narrowing if filters is None else {"operator": "AND", "conditions": [filters, narrowing]}
            held = {(d.meta["doc_id"], d.meta["article"]) for d in cluster_store.filter_documents(both)}
            ranked = [k for k in include if k in held]  # a ranking obeys both filters
            sent.clear()
            wide = cluster_store.provision_matches(query, filters, include=ranked, also=also, narrowing=narrowing)
            narrowed = wide.narrowed(narrowing)
            assert narrowed is not None and len(sent) == 1, query  # one request for both counts
            within = [(text, {"operator": "AND", "conditions": [f, narrowing]} if f else narrowing) for text, f in also]
            direct = cluster_store.provision_matches(query, both, include=ranked, also=within)
            mine = reference.provision_matches(query, filters, include=ranked, also=also).narrowed(narrowing)
            for other in (direct, mine):
                assert (narrowed.total, narrowed.facet_counts(fields)) == (other.total, other.facet_counts(fields)), query
            pages = {(p.meta["doc_id"], p.meta["article"]) for p in narrowed.page(set(ranked), 0, 100)}
            assert pages == {(p.meta["doc_id"], p.meta["article"]) for p in direct.page(set(ranked), 0, 100)}, query
    finally:
        cluster_store.client.msearch = msearch  # type: ignore[method-assign]
    dated = {"field": "meta.date", "operator": ">=", "value": "1900"}
    assert cluster_store.provision_matches("trabajo", narrowing=dated).narrowed(dated) is None  # not a document field
