"""The embedded store: protocol, BM25, vectors, filters, replace, persistence, concurrency.

Vectors here are synthetic unit vectors: these tests are about the store, and the real
model is exercised by the end-to-end tests.
"""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from haystack import Document
from haystack.document_stores.errors import DuplicateDocumentError
from haystack.document_stores.types import DuplicatePolicy

from laborlex_core.store.embedded import EmbeddedDocumentStore
from laborlex_core.store.retrievers import StoreBM25Retriever, StoreEmbeddingRetriever

DIM = 384


def unit(seed: int) -> list[float]:
    v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return (v / np.linalg.norm(v)).tolist()


def passage(doc_id: str, n: int, text: str, language: str = "es", jurisdiction: str = "MX", **meta: object) -> Document:
    return Document(
        id=f"{doc_id}#{n:05d}.00",
        content=text,
        embedding=unit(hash((doc_id, n)) % 10_000),
        meta={"doc_id": doc_id, "language": language, "jurisdiction": jurisdiction, "kind": "statute",
              "title": f"Title of {doc_id}", "article": str(n), "unit": "article", "ordinal": n, "chunk": 0, **meta},
    )


LFT = [
    passage("lft", 67, "Las horas de trabajo extraordinario se pagarán con un ciento por ciento más del salario."),
    passage("lft", 48, "El trabajador podrá solicitar que se le reinstale o que se le pague una indemnización de tres meses de salario."),
    passage("lft", 50, "Las indemnizaciones a que se refiere el artículo anterior consistirán en veinte días de salario."),
]
FLSA = [
    passage("flsa", 207, "No employer shall employ any of his employees for a workweek longer than forty hours unless such employee receives compensation at a rate not less than one and one-half times the regular rate.", "en", "US"),
    passage("flsa", 206, "Every employer shall pay to each of his employees wages at the minimum wage rate.", "en", "US"),
]
GE = [passage("ge", 27, "ზეგანაკვეთური სამუშაო ანაზღაურდება გაზრდილი ოდენობით.", "ka", "GE")]


@pytest.fixture()
def store(tmp_path: Path) -> EmbeddedDocumentStore:
    s = EmbeddedDocumentStore(tmp_path / "index.sqlite3")
    s.replace_document("lft", LFT, {"doc_id": "lft", "title": "LFT", "language": "es"})
    s.replace_document("flsa", FLSA, {"doc_id": "flsa", "title": "FLSA", "language": "en"})
    s.replace_document("ge", GE, {"doc_id": "ge", "title": "GE", "language": "ka"})
    return s


def test_protocol_count_filter_write_delete(tmp_path: Path) -> None:
    s = EmbeddedDocumentStore(tmp_path / "x.sqlite3")
    assert s.count_documents() == 0
    assert s.write_documents(LFT) == 3
    with pytest.raises(DuplicateDocumentError):
        s.write_documents(LFT[:1])
    assert s.write_documents(LFT[:1], policy=DuplicatePolicy.SKIP) == 0
    changed = Document(id=LFT[0].id, content="nuevo texto", meta=LFT[0].meta, embedding=LFT[0].embedding)
    assert s.write_documents([changed], policy=DuplicatePolicy.OVERWRITE) == 1
    assert s.count_documents() == 3
    assert [d.content for d in s.filter_documents({"field": "id", "operator": "==", "value": LFT[0].id})] == ["nuevo texto"]
    assert s.bm25_retrieval("nuevo")[0].id == LFT[0].id
    s.delete_documents([LFT[0].id])
    assert s.count_documents() == 2
    assert s.bm25_retrieval("nuevo") == []
    restored = EmbeddedDocumentStore.from_dict(s.to_dict())
    assert restored.count_documents() == 2


def test_bm25_stemming_and_accent_folding(store: EmbeddedDocumentStore) -> None:
    for query in ("indemnización", "indemnizacion", "INDEMNIZACIONES"):
        ids = [d.id for d in store.bm25_retrieval(query)]
        assert set(ids) == {LFT[1].id, LFT[2].id}, query
    assert store.bm25_retrieval("overtime employees workweek")[0].id == FLSA[0].id
    assert store.bm25_retrieval("ზეგანაკვეთური")[0].id == GE[0].id
    assert store.bm25_retrieval("de la el") == []  # stopwords only


def test_bm25_and_dense_respect_filters(store: EmbeddedDocumentStore) -> None:
    us = {"field": "meta.jurisdiction", "operator": "==", "value": "US"}
    assert {d.meta["doc_id"] for d in store.bm25_retrieval("salario wage employees", filters=us)} == {"flsa"}
    dense = store.embedding_retrieval(LFT[0].embedding, filters=us, top_k=10)
    assert {d.meta["doc_id"] for d in dense} == {"flsa"}
    none = {"field": "meta.language", "operator": "in", "value": []}
    assert store.embedding_retrieval(LFT[0].embedding, filters=none) == []


def test_dense_is_exact(store: EmbeddedDocumentStore) -> None:
    all_docs = store.filter_documents()
    matrix = np.array([d.embedding for d in all_docs], dtype=np.float32)
    query = np.asarray(unit(999), dtype=np.float32)
    expected = [all_docs[i].id for i in np.argsort(-(matrix @ query))[:4]]
    got = store.embedding_retrieval(query.tolist(), top_k=4)
    assert [d.id for d in got] == expected
    assert got[0].score == pytest.approx(float(np.max(matrix @ query)), rel=1e-5)


def test_replace_document_swaps_all_passages(store: EmbeddedDocumentStore) -> None:
    new = [passage("lft", 1, "Artículo nuevo sobre vacaciones")]
    store.replace_document("lft", new, {"doc_id": "lft", "title": "LFT"})
    lft = store.document_passages("lft")
    assert [d.id for d in lft] == [new[0].id]
    assert store.bm25_retrieval("indemnización") == []
    assert store.get_document("lft")["passages"] == 1
    assert store.count_documents() == 1 + len(FLSA) + len(GE)


def test_failed_replace_keeps_the_old_document(store: EmbeddedDocumentStore) -> None:
    broken = [passage("lft", 1, "ok"), Document(id="lft#bad", content="x", embedding=[0.0] * 3, meta={"doc_id": "lft"})]
    with pytest.raises(ValueError):
        store.replace_document("lft", broken, {"doc_id": "lft"})
    assert {d.id for d in store.document_passages("lft")} == {d.id for d in LFT}


def test_delete_document_and_listing(store: EmbeddedDocumentStore) -> None:
    assert [d["doc_id"] for d in store.list_documents()] == ["flsa", "ge", "lft"]
    assert store.delete_document("flsa") is True
    assert store.delete_document("flsa") is False
    assert store.get_document("flsa") is None
    assert store.embedding_retrieval(FLSA[0].embedding, filters={"field": "meta.doc_id", "operator": "==", "value": "flsa"}) == []
    assert store.facet_counts("language") == {"es": 3, "ka": 1}


def test_persists_across_processes(store: EmbeddedDocumentStore) -> None:
    script = textwrap.dedent(
        f"""
        from laborlex_core.store.embedded import EmbeddedDocumentStore
        s = EmbeddedDocumentStore({str(store.path)!r})
        print(s.count_documents(), s.bm25_retrieval("workweek")[0].id)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert out == [str(len(LFT) + len(FLSA) + len(GE)), FLSA[0].id]


def _keep_replacing(path: str, rounds: int) -> None:
    s = EmbeddedDocumentStore(path)
    for i in range(rounds):
        docs = [passage("big", n, f"texto {n} de la ronda {i} sobre salario mínimo") for n in range(200)]
        s.replace_document("big", docs, {"doc_id": "big"})


def test_search_keeps_working_during_an_ingest(store: EmbeddedDocumentStore) -> None:
    """A writer process replaces a 200-passage document over and over; reads never fail or see half."""
    writer = multiprocessing.get_context("spawn").Process(target=_keep_replacing, args=(str(store.path), 15))
    writer.start()
    reads = 0
    seen_counts: set[int] = set()
    deadline = time.time() + 60
    try:
        while writer.is_alive() and time.time() < deadline:
            assert store.bm25_retrieval("workweek")[0].id == FLSA[0].id
            assert store.embedding_retrieval(GE[0].embedding, top_k=1)[0].id == GE[0].id
            seen_counts.add(len(store.document_passages("big")))
            reads += 1
    finally:
        writer.join(timeout=60)
    assert writer.exitcode == 0
    assert reads > 0
    assert seen_counts <= {0, 200}  # never half a document
    assert len(store.document_passages("big")) == 200


def test_retriever_components_round_trip(store: EmbeddedDocumentStore) -> None:
    bm25 = StoreBM25Retriever(store, top_k=2)
    assert bm25.run(query="salario")["documents"]
    dense = StoreEmbeddingRetriever.from_dict(StoreEmbeddingRetriever(store, top_k=1).to_dict())
    assert dense.run(query_embedding=GE[0].embedding)["documents"][0].id == GE[0].id
    assert StoreBM25Retriever.from_dict(bm25.to_dict()).top_k == 2


def test_an_index_from_before_document_texts_is_migrated(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE documents (doc_id TEXT PRIMARY KEY, meta TEXT NOT NULL, passages INTEGER NOT NULL, "
            "provisions INTEGER NOT NULL, updated_at REAL NOT NULL)"
        )
        conn.execute("INSERT INTO documents VALUES ('old', '{\"doc_id\": \"old\"}', 0, 0, 0)")
    store = EmbeddedDocumentStore(path)
    assert store.document_text("old") is None
    store.replace_document("lft", LFT, {"doc_id": "lft"}, text="full text")
    assert store.document_text("lft") == "full text"


def test_a_provisions_passages_are_read_through_an_index(store: EmbeddedDocumentStore) -> None:
    """A result's earlier windows are read by (doc_id, article): through passages_article, not
    by scanning every row of the document (schema 5; an older index gains it on open)."""
    import sqlite3

    conn = store._connection()
    plan = " ".join(str(row[-1]) for row in conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM passages WHERE doc_id = ? AND article = ? ORDER BY doc_id, ordinal, chunk", ("lft", "48")))
    assert "passages_article" in plan
    cited = " ".join(str(row[-1]) for row in conn.execute(  # an article cited without its instrument
        "EXPLAIN QUERY PLAN SELECT id FROM passages WHERE article = ? ORDER BY doc_id, ordinal, chunk", ("48",)))
    assert "passages_cited" in cited
    with sqlite3.connect(store.path) as old:  # make it look like schema 4
        old.execute("DROP INDEX passages_article")
        old.execute("DROP INDEX passages_cited")
        old.execute("UPDATE store_state SET value = '4' WHERE key = 'schema_version'")
    reopened = EmbeddedDocumentStore(store.path)
    names = {row[0] for row in reopened._connection().execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"passages_article", "passages_cited"} <= names
    assert [d.id for d in reopened.filter_documents(
        {"operator": "AND", "conditions": [{"field": "meta.doc_id", "operator": "==", "value": "lft"},
                                            {"field": "meta.article", "operator": "==", "value": "48"}]})] == [
        d.id for d in store.filter_documents() if d.meta.get("doc_id") == "lft" and d.meta.get("article") == "48"] == ["lft#00048.00"]


def test_the_lists_of_one_batch_come_from_one_snapshot(store: EmbeddedDocumentStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A commit between two lists of a batch does not split them across generations: fusion's
    row path needs them on one snapshot, and the next batch sees the commit."""
    from laborlex_core.store.base import ListRequest

    first_list = store._bm25_rows

    def write_after_the_first(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = first_list(*args, **kwargs)
        if store.get_document("late") is None:
            store.replace_document("late", [passage("late", 1, "salario mínimo del trabajo")], {"doc_id": "late", "title": "Late"})
        return found

    monkeypatch.setattr(store, "_bm25_rows", write_after_the_first)
    requests = [ListRequest(query="salario", top_k=5), ListRequest(embedding=unit(1), top_k=5), ListRequest(query="salario", top_k=5)]
    lists = store.ranked_lists(requests)
    snapshots = {id(found.source.snapshot) for found in lists}  # type: ignore[attr-defined]
    assert len(snapshots) == 1
    assert "late#00001.00" not in {d.id for d in lists[2]}
    assert "late#00001.00" in {d.id for d in store.ranked_lists(requests[:1])[0]}


def test_a_list_asked_twice_in_a_batch_is_computed_once(store: EmbeddedDocumentStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A user's filter on the US and the branch within the US and English select the same
    passages: the batch computes each such list once, and every list equals its single call."""
    import laborlex_core.store.embedded as embedded
    from laborlex_core.store.base import ListRequest

    us = {"field": "meta.jurisdiction", "operator": "==", "value": "US"}
    us_in_english = {"operator": "AND", "conditions": [us, {"field": "meta.language", "operator": "==", "value": "en"}]}
    computed: list[str] = []
    for name in ("top_matches", "top_dense"):
        original = getattr(embedded, name)
        monkeypatch.setattr(embedded, name, lambda *a, _o=original, _n=name, **k: (computed.append(_n), _o(*a, **k))[1])
    requests = [
        ListRequest(query="employer wages", filters=us, top_k=5),
        ListRequest(query="employer wages", filters=us_in_english, top_k=5),
        ListRequest(embedding=unit(1), filters=us, top_k=5),
        ListRequest(embedding=unit(1), filters=us_in_english, top_k=5),
        ListRequest(query="employer wages", top_k=5),  # every passage: another list
        ListRequest(query="employer wages", filters=us, top_k=1),  # another depth
    ]
    lists = store.ranked_lists(requests)
    assert computed == ["top_matches", "top_dense", "top_matches", "top_matches"]
    singles = [
        store.bm25_retrieval(r.query, filters=r.filters, top_k=r.top_k) if r.query is not None
        else store.embedding_retrieval(r.embedding, filters=r.filters, top_k=r.top_k)
        for r in requests
    ]
    assert [list(found) for found in lists] == singles
    assert [d.id for d in lists[0]] == [d.id for d in lists[1]] and lists[0]


@pytest.mark.parametrize(
    "nothing",
    [
        {"field": "meta.language", "operator": "==", "value": "fr"},  # a value no passage holds
        {"operator": "AND", "conditions": [  # two that no passage holds together
            {"field": "meta.language", "operator": "==", "value": "ka"},
            {"field": "meta.jurisdiction", "operator": "==", "value": "MX"},
        ]},
    ],
)
def test_a_list_whose_filter_selects_no_passage_scores_nothing(
    store: EmbeddedDocumentStore, nothing: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Empty, and neither the query's terms nor its vector are scored for it (a one-language
    filter leaves the branches' lists in the other languages empty)."""
    from laborlex_core.store.base import ListRequest
    from laborlex_core.store.snapshot import IndexSnapshot

    scored: list[str] = []
    for name in ("lexical_scores", "dense_scores"):
        original = getattr(IndexSnapshot, name)
        monkeypatch.setattr(IndexSnapshot, name, lambda *a, _o=original, _n=name, **k: (scored.append(_n), _o(*a, **k))[1])
    lists = store.ranked_lists([ListRequest(query="salario trabajo", filters=nothing, top_k=5), ListRequest(embedding=unit(1), filters=nothing, top_k=5)])
    assert [list(found) for found in lists] == [[], []]
    assert scored == []
    assert store.bm25_retrieval("salario", filters=nothing) == [] and store.embedding_retrieval(unit(1), filters=nothing) == []
    assert scored == []
    assert store.bm25_retrieval("salario") and store.embedding_retrieval(unit(1))  # unfiltered, scored as before
    assert scored == ["lexical_scores", "dense_scores"]
    matches = store.provision_matches("salario", filters=nothing, also=[("salario", None)])
    assert scored == ["lexical_scores", "dense_scores", "lexical_scores"]  # only the pair that selects passages
    assert matches.total > 0
