"""Copying an embedded index into OpenSearch (``laborlex opensearch import-embedded``): the same
documents, passages, vectors, citations and texts come out, on the emulator and a real node."""

from __future__ import annotations

import dataclasses
import os
import uuid

import pytest

from laborlex_core.settings import Settings
from laborlex_core.snippet_sentences import SENTENCE_VECTORS_META, SentenceBlock, sentences
from laborlex_core.store import opensearch_admin
from laborlex_core.store.embedded import EmbeddedDocumentStore
from laborlex_core.store.opensearch import OpenSearchBackend
from laborlex_core.store.opensearch_copy import copy_store
from tests.laborlex_core.store.opensearch_fixtures import REAL_CLUSTER_REASON, load, passage, real_cluster_settings, unit_vector


@pytest.fixture(params=["emulator", "real_cluster"])
def target(request):
    if request.param == "emulator":
        pytest.importorskip("osmem_server")
        url = request.getfixturevalue("osmem_clone").url
        settings = Settings(backend="opensearch", opensearch_url=url, opensearch_password=None)
    else:
        if not os.environ.get("OPENSEARCH_URL"):
            pytest.skip(REAL_CLUSTER_REASON)
        settings = real_cluster_settings(f"laborlex-test-{uuid.uuid4().hex[:8]}")
    store = OpenSearchBackend(settings)
    opensearch_admin.setup(store.client, settings, search_pipeline=False)
    yield request.param, store
    for index in opensearch_admin.alias_targets(store.client, settings.opensearch_index):
        store.client.indices.delete(index=index)
    store.client.indices.delete(index=store.docs_index, ignore_unavailable=True)


@pytest.fixture()
def source(tmp_path) -> EmbeddedDocumentStore:
    store = EmbeddedDocumentStore(tmp_path / "index.sqlite3")
    load(store)
    return store


def _without_updated(rows):
    return [{k: v for k, v in row.items() if k != "updated_at"} for row in rows]


def test_copy_keeps_documents_passages_vectors_and_texts(target, source: EmbeddedDocumentStore) -> None:
    kind, store = target
    mx = source.document_passages("mx-lft", with_embeddings=True)  # one passage with snippet sentence vectors
    group = sentences(mx[0].content or "")
    block = SentenceBlock.encode(group, [unit_vector(1, i) for i in range(len(group))]).to_bytes()
    record = {k: v for k, v in (source.get_document("mx-lft") or {}).items() if k not in ("passages", "provisions", "updated_at")}
    source.replace_document("mx-lft", [dataclasses.replace(mx[0], meta={**mx[0].meta, SENTENCE_VECTORS_META: block}), *mx[1:]], record, source.document_text("mx-lft"))
    seen: list[str] = []
    report = copy_store(source, store, 384, progress=lambda n, total, doc_id: seen.append(f"{n}/{total} {doc_id}"))
    assert {k: v.to_bytes() for k, v in store.sentence_vectors([p.id for p in mx]).items()} == {mx[0].id: block}
    assert (report.documents, report.passages, report.failures) == (3, 5, {})
    assert seen == ["1/3 ge-code", "2/3 mx-lft", "3/3 us-flsa"]
    assert _without_updated(store.list_documents()) == _without_updated(source.list_documents())
    for summary in source.list_documents():
        doc_id = summary["doc_id"]
        ours = store.document_passages(doc_id, with_embeddings=True)
        theirs = source.document_passages(doc_id, with_embeddings=True)
        assert [(d.id, d.content, d.meta) for d in ours] == [(d.id, d.content, d.meta) for d in theirs]
        for mine, reference in zip(ours, theirs):
            assert mine.embedding == pytest.approx(reference.embedding, abs=1e-6)
        assert store.document_text(doc_id) == source.document_text(doc_id)
    if kind == "real_cluster":  # the copied vectors are searchable
        assert store.embedding_retrieval(unit_vector(0, 0, 1), top_k=1)[0].meta["article"] == "48"


def test_copy_reports_documents_it_cannot_take(target, source: EmbeddedDocumentStore) -> None:
    _, store = target
    bare = dataclasses.replace(passage("us-flsa", "207", "overtime", "en", "US", 1, unit_vector(1, 0)), embedding=None)
    source.replace_document("us-flsa", [bare], {"doc_id": "us-flsa"})
    report = copy_store(source, store, 384)
    assert report.documents == 2 and set(report.failures) == {"us-flsa"}
    assert "without a vector" in report.failures["us-flsa"] and store.get_document("us-flsa") is None
    wrong = copy_store(source, store, 768)
    assert wrong.documents == 0 and "768" in wrong.failures["mx-lft"]
