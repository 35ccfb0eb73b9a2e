"""The per-generation snapshot: the same top-k as exact scoring, generation tags, no write lock at open.

A seeded index of a few hundred passages (random words from a small vocabulary, so terms
are shared and BM25 statistics matter; random unit vectors) is searched under many filters
and compared with FTS5's own bm25() and with a plain float32 product.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from laborlex_core.passage_text import CONTEXT_BM25_WEIGHT
from laborlex_core.store.embedded import EmbeddedDocumentStore
from laborlex_core.store.lexical_index import reference_bm25
from laborlex_core.store.snapshot import FORMAT, derived_folder

DIM = 384
WORDS = ["salario", "trabajo", "despido", "vacaciones", "employer", "wages", "overtime", "hours", "leave",
         "სამუშაო", "ხელფასი", "contrato", "indemnización", "jornada", "union", "strike", "minimum", "descanso"]
FILTERS = [
    None,
    {"field": "meta.jurisdiction", "operator": "==", "value": "MX"},
    {"field": "meta.language", "operator": "in", "value": ["es", "ka"]},
    {"operator": "AND", "conditions": [{"field": "meta.jurisdiction", "operator": "==", "value": "US"},
                                        {"field": "meta.kind", "operator": "==", "value": "case_law"}]},
    {"field": "meta.date", "operator": ">=", "value": "2005"},  # answered through SQL
    {"field": "meta.doc_id", "operator": "==", "value": "nothing-here"},
]
QUERIES = ["salario trabajo", "despido indemnizacion", "overtime hours employer", "ხელფასი", "leave", "contrato jornada descanso union"]


def seeded_documents(count: int, seed: int = 7) -> dict[str, list[Document]]:
    rng = np.random.default_rng(seed)
    docs: dict[str, list[Document]] = {}
    for i in range(count):
        doc_id = f"d{i % 23}"
        language, jurisdiction = [("es", "MX"), ("en", "US"), ("ka", "GE"), ("es", "HN")][(i % 23) % 4]  # per document
        words = rng.choice(WORDS, size=int(rng.integers(3, 40)))
        vector = rng.normal(size=DIM).astype(np.float32)
        docs.setdefault(doc_id, []).append(
            Document(
                id=f"{doc_id}#{i:05d}.00",
                content=" ".join(words),
                embedding=(vector / np.linalg.norm(vector)).tolist(),
                meta={"doc_id": doc_id, "language": language, "jurisdiction": jurisdiction,
                      "kind": ["statute", "case_law"][(i % 23) % 2], "title": f"Title {doc_id}", "article": str(i % 11),
                      "unit": "article", "ordinal": i, "chunk": 0, "date": f"{1995 + i % 20}-01-01"},
            )
        )
    return docs


@pytest.fixture()
def store(tmp_path: Path) -> EmbeddedDocumentStore:
    s = EmbeddedDocumentStore(tmp_path / "index.sqlite3")
    for doc_id, passages in seeded_documents(400).items():
        s.replace_document(doc_id, passages, {"doc_id": doc_id, "title": doc_id})
    return s


def assert_same_ranking(found: list[Document], expected: list[tuple[str, float]]) -> None:
    """Same scores in order; the same passages wherever scores are not tied at the cut."""
    assert len(found) == len(expected)
    assert [d.score for d in found] == pytest.approx([s for _, s in expected], rel=1e-6, abs=1e-6)
    if expected:
        last = expected[-1][1]
        above = {i for i, s in expected if s > last + 1e-6}
        assert above <= {d.id for d in found}


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("query", QUERIES)
def test_bm25_top_k_equals_fts5(store: EmbeddedDocumentStore, query: str, filters: dict | None) -> None:
    terms = store._query_terms(query)
    expected = store._fts5_retrieval(terms, filters, 15)  # SQLite's own bm25(), ORDER BY ... LIMIT
    assert_same_ranking(store.bm25_retrieval(query, filters=filters, top_k=15), [(d.id, d.score) for d in expected])


def test_bm25_equals_the_formula_written_out(store: EmbeddedDocumentStore) -> None:
    conn = store._connection()
    rows = conn.execute("SELECT p.id, f.context, f.body FROM passages p JOIN passages_fts f ON f.rowid = p.rowid ORDER BY p.rowid").fetchall()
    terms = store._query_terms("overtime salario ხელფასი")
    scores = reference_bm25([r[1] for r in rows], [r[2] for r in rows], terms, CONTEXT_BM25_WEIGHT, 1.0)
    expected = sorted(((r[0], s) for r, s in zip(rows, scores) if s > 0), key=lambda x: -x[1])[:20]
    assert_same_ranking(store.bm25_retrieval("overtime salario ხელფასი", top_k=20), expected)


def test_k1_and_b_are_settings(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    s = EmbeddedDocumentStore(path)
    for doc_id, passages in seeded_documents(80).items():
        s.replace_document(doc_id, passages, {"doc_id": doc_id, "title": doc_id})
    conn = s._connection()
    rows = conn.execute("SELECT p.id, f.context, f.body FROM passages p JOIN passages_fts f ON f.rowid = p.rowid ORDER BY p.rowid").fetchall()
    other = EmbeddedDocumentStore(path, bm25_k1=2.0, bm25_b=0.3)
    terms = other._query_terms("trabajo leave")
    scores = reference_bm25([r[1] for r in rows], [r[2] for r in rows], terms, CONTEXT_BM25_WEIGHT, 1.0, k1=2.0, b=0.3)
    expected = sorted(((r[0], x) for r, x in zip(rows, scores) if x > 0), key=lambda x: -x[1])[:10]
    assert_same_ranking(other.bm25_retrieval("trabajo leave", top_k=10), expected)


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("quantized", [True, False])
def test_dense_top_k_equals_exact_float32(tmp_path: Path, filters: dict | None, quantized: bool) -> None:
    """recall@k = 1.0 against a plain float32 product, with the int8 first pass on and off."""
    path = tmp_path / "index.sqlite3"
    s = EmbeddedDocumentStore(path, quantized=quantized)
    for doc_id, passages in seeded_documents(400).items():
        s.replace_document(doc_id, passages, {"doc_id": doc_id, "title": doc_id})
    allowed = {d.id: np.asarray(d.embedding, dtype=np.float32) for d in s.filter_documents(filters)}
    rng = np.random.default_rng(3)
    for _ in range(8):
        query = rng.normal(size=DIM).astype(np.float32)
        query /= np.linalg.norm(query)
        expected = sorted(((i, float(v @ query)) for i, v in allowed.items()), key=lambda x: -x[1])[:10]
        assert_same_ranking(s.embedding_retrieval(query.tolist(), filters=filters, top_k=10), expected)


def test_every_list_of_a_query_reuses_one_scoring(store: EmbeddedDocumentStore) -> None:
    vector = store.filter_documents()[0].embedding
    for filters in FILTERS:
        store.embedding_retrieval(vector, filters=filters, top_k=5)
        store.bm25_retrieval("salario trabajo", filters=filters, top_k=5)
    snapshot = store._snapshot()
    assert len(snapshot._dense_scores._items) == 1
    assert len(snapshot._lexical_scores._items) == 1


def test_a_write_invalidates_the_snapshot(store: EmbeddedDocumentStore) -> None:
    before = store._snapshot()
    assert store.bm25_retrieval("zanahoria") == []
    fresh = Document(id="new#00001.00", content="zanahoria salario", embedding=store.filter_documents()[0].embedding,
                     meta={"doc_id": "new", "language": "es", "jurisdiction": "MX", "article": "1", "ordinal": 1, "chunk": 0})
    store.replace_document("new", [fresh], {"doc_id": "new", "title": "new"})
    assert [d.id for d in store.bm25_retrieval("zanahoria")] == ["new#00001.00"]
    after = store._snapshot()
    assert after.generation == before.generation + 1 and after is not before
    store.delete_document("new")
    assert store.bm25_retrieval("zanahoria") == []


def test_another_process_write_is_seen(store: EmbeddedDocumentStore) -> None:
    """A writer with its own store object (as ingest in another process) bumps the generation."""
    store.bm25_retrieval("salario")
    writer = EmbeddedDocumentStore(store.path)
    writer.delete_document("d3")
    assert all(d.meta["doc_id"] != "d3" for d in store.bm25_retrieval("salario", top_k=500))
    assert all(d.meta["doc_id"] != "d3" for d in store.embedding_retrieval(writer.filter_documents()[0].embedding, top_k=500))


def test_saved_snapshot_is_tagged_and_reloaded(store: EmbeddedDocumentStore) -> None:
    built = store._snapshot()
    folders = [p.name for p in derived_folder(store.path).iterdir()]
    assert folders == [f"g{built.generation}-{built.index_id}"]
    reopened = EmbeddedDocumentStore(store.path)
    loaded = reopened._snapshot()
    assert loaded is not built and loaded.generation == built.generation
    for query in QUERIES:
        assert [(d.id, d.score) for d in reopened.bm25_retrieval(query, top_k=20)] == [
            (d.id, d.score) for d in store.bm25_retrieval(query, top_k=20)]
    vector = store.filter_documents()[1].embedding
    assert [d.id for d in reopened.embedding_retrieval(vector, top_k=20)] == [d.id for d in store.embedding_retrieval(vector, top_k=20)]
    store.delete_document("d5")  # a new generation: the old folder goes
    store._snapshot()
    store.wait_for_snapshot()  # the updated snapshot is saved in the background
    assert [p.name for p in derived_folder(store.path).iterdir()] == [f"g{built.generation + 1}-{built.index_id}"]


@pytest.mark.parametrize(("limit", "resident"), [(1 << 30, True), (0, False)])
def test_a_reopened_snapshot_reads_its_vectors_into_memory_up_to_the_limit(
    store: EmbeddedDocumentStore, limit: int, resident: bool
) -> None:
    """Re-scoring gathers rows from all over the matrix: a saved one that fits the limit is read
    into process memory in the background (the mapped copy answers meanwhile), a larger one
    stays mapped; either way the answers are the same."""
    built = store._snapshot()
    store.wait_for_snapshot()
    reopened = EmbeddedDocumentStore(store.path, resident_vectors_bytes=limit)
    vector = store.filter_documents()[3].embedding
    mapped_answer = [(d.id, d.score) for d in reopened.embedding_retrieval(vector, top_k=20)]
    loaded = reopened._snapshot()
    for thread in threading.enumerate():
        if thread.name == "laborlex-vectors":
            thread.join(timeout=30)
    assert isinstance(loaded.dense.matrix, np.memmap) is not resident
    np.testing.assert_array_equal(np.asarray(loaded.dense.matrix), np.asarray(built.dense.matrix))
    assert [(d.id, d.score) for d in reopened.embedding_retrieval(vector, top_k=20)] == mapped_answer
    assert mapped_answer == [(d.id, d.score) for d in store.embedding_retrieval(vector, top_k=20)]


@pytest.mark.parametrize("mmap_bytes", [0, 1 << 26])
def test_sqlite_memory_map_is_a_setting(tmp_path: Path, mmap_bytes: int) -> None:
    """Off by default: pages read through a map stay in the process's resident set."""
    s = EmbeddedDocumentStore(tmp_path / "index.sqlite3", sqlite_mmap_bytes=mmap_bytes)
    assert s._connection().execute("PRAGMA mmap_size").fetchone()[0] == mmap_bytes
    assert EmbeddedDocumentStore.from_dict(s.to_dict()).sqlite_mmap_bytes == mmap_bytes


def test_another_index_at_the_same_generation_is_not_mistaken(tmp_path: Path) -> None:
    """The saved folder names the index's id: a rebuilt index restarting at the same
    generation never loads the old one's snapshot."""
    path = tmp_path / "index.sqlite3"
    a = EmbeddedDocumentStore(path)
    a.write_documents([Document(id="x", content="salario", meta={"doc_id": "x"})])
    assert [d.id for d in a.bm25_retrieval("salario")] == ["x"]
    a.close()
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    b = EmbeddedDocumentStore(path)
    b.write_documents([Document(id="y", content="trabajo", meta={"doc_id": "y"})])
    assert b.bm25_retrieval("salario") == [] and [d.id for d in b.bm25_retrieval("trabajo")] == ["y"]


def test_opening_and_searching_take_no_write_lock(store: EmbeddedDocumentStore) -> None:
    """A new connection (an API thread) opens and searches while an ingest holds the write lock."""
    store.bm25_retrieval("salario")
    writer = sqlite3.connect(store.path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE documents SET updated_at = 0")
    results: dict[str, object] = {}

    def search() -> None:
        try:
            fresh = EmbeddedDocumentStore(store.path)
            results["bm25"] = fresh.bm25_retrieval("salario", top_k=3)
            results["dense"] = fresh.embedding_retrieval(store.filter_documents()[0].embedding, top_k=3)
            results["documents"] = fresh.list_documents()
        except Exception as error:  # reported below
            results["error"] = error

    thread = threading.Thread(target=search, daemon=True)
    thread.start()
    thread.join(timeout=45)  # the store's busy timeout is 60 s: a blocked open would still be waiting
    writer.execute("ROLLBACK")
    writer.close()
    assert not thread.is_alive(), "opening or searching waited for the writer's lock"
    assert "error" not in results, results.get("error")
    assert len(results["bm25"]) == 3 and len(results["dense"]) == 3 and results["documents"]


def test_provision_matches_count_facet_and_page_like_counting_by_hand(store: EmbeddedDocumentStore) -> None:
    query, filters = "despido jornada", {"field": "meta.language", "operator": "==", "value": "es"}
    terms = set(store._query_terms(query))
    everything = store.filter_documents(filters)
    by_hand: dict[tuple[str, str], Document] = {}
    for d in everything:
        if terms & set(store_terms(store, d.id)):
            by_hand.setdefault((d.meta["doc_id"], d.meta["article"]), d)
    matches = store.provision_matches(query, filters)
    assert matches.total == len(by_hand)
    for field in ("jurisdiction", "kind", "language"):
        counted: dict[str, int] = {}
        for d in by_hand.values():
            counted[d.meta[field]] = counted.get(d.meta[field], 0) + 1
        assert matches.facet_counts([field])[field] == counted
    pages, offset = [], 0
    while True:
        page = matches.page(set(), offset, 7)
        if not page:
            break
        pages += page
        offset += 7
    keys = [(d.meta["doc_id"], d.meta["article"]) for d in pages]
    assert len(keys) == len(set(keys)) == len(by_hand) and set(keys) == set(by_hand)
    assert [d.score for d in pages] == sorted((d.score for d in pages), reverse=True)
    excluded = set(keys[:3])
    assert [(d.meta["doc_id"], d.meta["article"]) for d in matches.page(excluded, 0, 5)] == keys[3:8]
    unmatched = next(k for k in {(d.meta["doc_id"], d.meta["article"]) for d in everything} if k not in by_hand)
    included = store.provision_matches(query, filters, include=[unmatched, keys[0], ("no-such-doc", "1")])
    assert included.total == len(by_hand) + 1
    first = min((d for d in everything if (d.meta["doc_id"], d.meta["article"]) == unmatched), key=lambda d: store_rowid(store, d.id))
    assert [int(included.snapshot.rowids[r]) for r in included.extra] == [store_rowid(store, first.id)]  # its first passage


def store_rowid(store: EmbeddedDocumentStore, passage_id: str) -> int:
    return int(store._connection().execute("SELECT rowid FROM passages WHERE id = ?", (passage_id,)).fetchone()[0])


def store_terms(store: EmbeddedDocumentStore, passage_id: str) -> list[str]:
    row = store._connection().execute(
        "SELECT f.context || ' ' || f.body FROM passages p JOIN passages_fts f ON f.rowid = p.rowid WHERE p.id = ?", (passage_id,)
    ).fetchone()
    return row[0].split()


def test_dense_first_pass_narrows_to_few_candidates_and_stays_exact(tmp_path: Path) -> None:
    """Vectors shaped like e5's (a common direction, cosines of unrelated passages ~0.75): the
    int8 pass leaves few rows to re-score, and the top-k is still the float32 one."""
    rng = np.random.default_rng(11)
    common = rng.normal(size=DIM)
    common /= np.linalg.norm(common)
    topics = rng.normal(size=(40, DIM))
    passages = []
    for i in range(3000):
        v = 0.85 * common + 0.35 * topics[i % 40] / np.linalg.norm(topics[i % 40]) + 0.25 * rng.normal(size=DIM) / np.sqrt(DIM)
        passages.append(Document(id=f"p{i}", content=f"texto {i}", embedding=(v / np.linalg.norm(v)).tolist(),
                                 meta={"doc_id": f"d{i % 50}", "language": ["es", "en", "ka"][i % 50 % 3], "article": str(i)}))
    s = EmbeddedDocumentStore(tmp_path / "index.sqlite3")
    s.write_documents(passages)
    vectors = {d.id: np.asarray(d.embedding, dtype=np.float32) for d in passages}
    narrowed = 0
    for j in range(10):
        query = np.asarray(passages[j * 97].embedding, dtype=np.float32) + rng.normal(0, 0.02, DIM).astype(np.float32)
        query /= np.linalg.norm(query)
        for filters in (None, {"field": "meta.language", "operator": "==", "value": "ka"}):
            allowed = [d.id for d in passages if filters is None or d.meta["language"] == "ka"]
            expected = sorted(((i, float(vectors[i] @ query)) for i in allowed), key=lambda x: -x[1])[:20]
            assert_same_ranking(s.embedding_retrieval(query.tolist(), filters=filters, top_k=20), expected)
        narrowed += s._snapshot().dense_scores(query).exact is None  # no full float32 pass was needed
    assert s._snapshot().dense.packed is not None and narrowed >= 8


# ---- incremental update, and answering from the previous generation ---------------------------


def _same_snapshot(a, b) -> None:
    """Two snapshots of one generation hold the same rows, columns, vectors and BM25 scores."""
    assert a.generation == b.generation
    np.testing.assert_array_equal(a.rowids, b.rowids)
    np.testing.assert_array_equal(a.hashes, b.hashes)
    for name in a.columns:
        assert [a.value_of(name, i) for i in range(a.size)] == [b.value_of(name, i) for i in range(b.size)]
    np.testing.assert_array_equal(np.asarray(a.dense.matrix), np.asarray(b.dense.matrix))
    np.testing.assert_array_equal(a.dense.present, b.dense.present)
    for query in QUERIES + ["zanahoria pepino"]:
        terms = tuple(sorted(set(query.split())))
        np.testing.assert_allclose(a.lexical.score(terms), b.lexical.score(terms), rtol=1e-12, atol=1e-12)


def test_a_commit_updates_the_snapshot_incrementally_and_equals_a_rebuild(store: EmbeddedDocumentStore, monkeypatch) -> None:
    from laborlex_core.store.snapshot import IndexSnapshot

    before = store._snapshot()
    vector = store.filter_documents()[0].embedding
    fresh = [Document(id=f"new#{i:05d}.00", content=f"zanahoria pepino salario {i}", embedding=vector,
                      meta={"doc_id": "new", "language": "ka", "jurisdiction": "ZZ", "kind": "statute", "article": "1",
                            "ordinal": i, "chunk": 0}) for i in range(3)]
    store.replace_document("new", fresh, {"doc_id": "new", "title": "new"})
    store.delete_document("d4")
    builds = []
    monkeypatch.setattr(IndexSnapshot, "build", classmethod(lambda cls, *a, **k: builds.append(1) or None))
    updated = store._snapshot()  # two generations on: the changed rows applied, no rebuild
    monkeypatch.undo()
    assert not builds and updated.generation == before.generation + 2 and updated is not before
    rebuilt = IndexSnapshot.build(store._connection(), DIM, CONTEXT_BM25_WEIGHT, 1.0, store.bm25_k1, store.bm25_b, True)
    _same_snapshot(updated, rebuilt)
    # and the lists still equal FTS5's bm25() and exact float32 under filters, new column values included
    for filters in FILTERS + [{"field": "meta.jurisdiction", "operator": "==", "value": "ZZ"}]:
        for query in ("zanahoria salario", "trabajo leave"):
            expected = store._fts5_retrieval(store._query_terms(query), filters, 15)
            assert_same_ranking(store.bm25_retrieval(query, filters=filters, top_k=15), [(d.id, d.score) for d in expected])
        allowed = {d.id: np.asarray(d.embedding, dtype=np.float32) for d in store.filter_documents(filters)}
        query_vector = np.asarray(store.filter_documents()[7].embedding, dtype=np.float32)
        exact = sorted(((i, float(v @ query_vector)) for i, v in allowed.items()), key=lambda x: -x[1])[:10]
        assert_same_ranking(store.embedding_retrieval(query_vector.tolist(), filters=filters, top_k=10), exact)
    assert {d.meta["doc_id"] for d in store.bm25_retrieval("zanahoria")} == {"new"}
    assert all(d.meta["doc_id"] != "d4" for d in store.bm25_retrieval("salario trabajo", top_k=1000))


def test_a_snapshot_read_in_small_batches_equals_one_read_at_once(store: EmbeddedDocumentStore, monkeypatch) -> None:
    """A large index is read and reduced a batch at a time; the batches must not show."""
    from laborlex_core.store import lexical_index, snapshot as snapshot_module
    from laborlex_core.store.snapshot import IndexSnapshot

    def build():
        return IndexSnapshot.build(store._connection(), DIM, CONTEXT_BM25_WEIGHT, 1.0, store.bm25_k1, store.bm25_b, True)

    whole = build()
    monkeypatch.setattr(snapshot_module, "BUILD_CHUNK", 7)
    monkeypatch.setattr(lexical_index, "POSTINGS_BATCH", 5)
    batched = build()
    assert whole.size > 7 * 3  # several batches, the last one short
    _same_snapshot(whole, batched)
    assert whole.lexical.vocabulary.keys() == batched.lexical.vocabulary.keys()
    for term, column in whole.lexical.vocabulary.items():  # term ids follow reading order; postings per term agree
        other = batched.lexical.vocabulary[term]
        assert (whole.lexical.postings[:, [column]] != batched.lexical.postings[:, [other]]).nnz == 0
    for name, column in whole.text.items():
        other = batched.text[name]
        assert (column is None) == (other is None)
        if column is not None:
            np.testing.assert_array_equal(column.values, other.values)
            np.testing.assert_array_equal(column.null, other.null)
    assert (whole.dates is None) == (batched.dates is None)
    if whole.dates is not None:
        np.testing.assert_array_equal(whole.dates.values, batched.dates.values)
        np.testing.assert_array_equal(whole.dates.owner, batched.dates.owner)


def test_reused_rowids_are_not_mistaken_for_the_old_passages(store: EmbeddedDocumentStore) -> None:
    """SQLite gives the rowids of deleted tail rows to the next inserts: identity is rowid + id."""
    conn = store._connection()
    last_doc = conn.execute("SELECT doc_id FROM passages ORDER BY rowid DESC LIMIT 1").fetchone()[0]
    last_rowid = conn.execute("SELECT max(rowid) FROM passages").fetchone()[0]
    store._snapshot()
    store.delete_document(last_doc)
    vector = store.filter_documents()[0].embedding
    store.replace_document("tail", [Document(id="tail#00001.00", content="zanahoria", embedding=vector,
                                             meta={"doc_id": "tail", "language": "es", "article": "9", "ordinal": 1, "chunk": 0})],
                           {"doc_id": "tail", "title": "tail"})
    reused = conn.execute("SELECT rowid FROM passages WHERE id = 'tail#00001.00'").fetchone()[0]
    assert reused <= last_rowid  # the situation this test is about
    assert [d.id for d in store.bm25_retrieval("zanahoria")] == ["tail#00001.00"]
    assert all(d.meta["doc_id"] != last_doc for d in store.bm25_retrieval("salario trabajo overtime", top_k=1000))
    assert store.embedding_retrieval(vector, top_k=1)[0].score == pytest.approx(1.0, abs=1e-5)


def test_queries_answer_from_the_previous_generation_while_a_rebuild_runs(store: EmbeddedDocumentStore, monkeypatch) -> None:
    """A change too large to apply in place is rebuilt in the background; meanwhile the previous
    generation answers, without the passages that left the index."""
    import laborlex_core.store.embedded as embedded
    from laborlex_core.store import snapshot as snapshot_module

    monkeypatch.setattr(embedded, "BACKGROUND_REBUILD_ROWS", 1)
    monkeypatch.setattr(snapshot_module, "UPDATE_MIN_ROWS", 0)
    monkeypatch.setattr(snapshot_module, "UPDATE_MAX_SHARE", 0.0)  # every change needs a rebuild
    release = threading.Event()
    real_build = snapshot_module.IndexSnapshot.build.__func__

    def slow_build(cls, *args, **kwargs):
        release.wait(30)
        return real_build(cls, *args, **kwargs)

    before = store._snapshot()
    expected = [d.id for d in store.bm25_retrieval("salario", top_k=1000) if d.meta["doc_id"] != "d2"]
    monkeypatch.setattr(snapshot_module.IndexSnapshot, "build", classmethod(slow_build))
    store.delete_document("d2")
    assert [d.id for d in store.bm25_retrieval("salario", top_k=1000)] == expected  # old scores, d2 dropped
    assert store._snapshot() is before
    release.set()
    store.wait_for_snapshot()
    after = store._snapshot()
    assert after.generation == before.generation + 1
    assert all(d.meta["doc_id"] != "d2" for d in store.bm25_retrieval("salario", top_k=1000))


def test_a_large_index_is_updated_in_the_background_while_the_previous_generation_answers(
    store: EmbeddedDocumentStore, monkeypatch
) -> None:
    """From BACKGROUND_UPDATE_ROWS on, a commit's incremental update (23 s at 1M passages) runs
    in the background: queries meanwhile answer from the previous generation, without the
    passages that left the index, and then from the updated one (no rebuild)."""
    import laborlex_core.store.embedded as embedded
    from laborlex_core.store import snapshot as snapshot_module

    monkeypatch.setattr(embedded, "BACKGROUND_UPDATE_ROWS", 1)
    release = threading.Event()
    real_updated = snapshot_module.IndexSnapshot.updated

    def held_update(self, *args, **kwargs):
        release.wait(30)
        return real_updated(self, *args, **kwargs)

    def no_rebuild(*args, **kwargs):
        raise AssertionError("an update was expected, not a rebuild")

    before = store._snapshot()
    expected = [d.id for d in store.bm25_retrieval("salario", top_k=1000) if d.meta["doc_id"] != "d3"]
    monkeypatch.setattr(snapshot_module.IndexSnapshot, "updated", held_update)
    monkeypatch.setattr(snapshot_module.IndexSnapshot, "build", classmethod(no_rebuild))
    store.delete_document("d3")
    assert [d.id for d in store.bm25_retrieval("salario", top_k=1000)] == expected  # at once, from the old scores
    assert store._snapshot() is before
    release.set()
    store.wait_for_refresh()
    after = store._snapshot()
    assert after is not before and after.generation == before.generation + 1
    assert {d.id for d in store.bm25_retrieval("salario", top_k=1000)} == set(expected)  # rescored: d3 left the statistics
    store.wait_for_snapshot()


def test_a_folder_saved_in_an_older_format_is_replaced(store: EmbeddedDocumentStore) -> None:
    built = store._snapshot()
    folder = derived_folder(store.path) / f"g{built.generation}-{built.index_id}"
    meta = folder / "snapshot.json"
    meta.write_text(meta.read_text("utf-8").replace(f'"format": {FORMAT}', f'"format": {FORMAT - 1}'), "utf-8")
    reopened = EmbeddedDocumentStore(store.path)
    reopened._snapshot()  # unreadable: built again, and saved over the old folder
    assert f'"format": {FORMAT}' in meta.read_text("utf-8")


SPANISH = {"field": "meta.language", "operator": "==", "value": "es"}
MEXICO = {"field": "meta.jurisdiction", "operator": "==", "value": "MX"}
RECENT = {"field": "meta.date", "operator": ">=", "value": "2005-01-01"}


def _counted(matches) -> tuple:
    """Everything a search page reads of a matches view: total, facets, and every page."""
    pages, offset = [], 0
    while page := matches.page({("d4", "4")}, offset, 9):
        pages += [(d.id, d.score) for d in page]
        offset += 9
    return matches.total, matches.facet_counts(["jurisdiction", "kind", "language"]), pages


@pytest.mark.parametrize(
    ("scope", "facet", "also"),
    [
        (None, MEXICO, ()),
        (RECENT, MEXICO, ()),
        (RECENT, {"operator": "OR", "conditions": [MEXICO, {"field": "meta.kind", "operator": "==", "value": "case_law"}]}, ()),
        (None, {"field": "meta.jurisdiction", "operator": "in", "value": ["HN", "GE"]}, (("salario", SPANISH),)),
        (RECENT, SPANISH, (("salario", SPANISH), ("overtime", {"field": "meta.language", "operator": "==", "value": "en"}))),
    ],
)
def test_matches_narrowed_by_a_facet_equal_counting_under_both_filters(store: EmbeddedDocumentStore, scope, facet, also) -> None:
    """A search page's ``total`` under the user's filters comes from the facet count's
    matches masked by provision: the same total, facets and pages as counting again."""
    query = "despido jornada"
    include = [("d3", "5"), ("d8", "2"), ("d1", "7")]
    both = {"operator": "AND", "conditions": [c for c in (scope, facet) if c]}
    within = lambda base: [(text, {"operator": "AND", "conditions": [c for c in (base, f) if c]}) for text, f in also]  # noqa: E731
    held = {(d.meta["doc_id"], d.meta["article"]) for d in store.filter_documents(both)}
    ranked_in_both = [k for k in include if k in held]  # a ranking obeys both filters
    wide = store.provision_matches(query, scope, include=ranked_in_both, also=within(scope))
    narrowed = wide.narrowed(facet)
    direct = store.provision_matches(query, both, include=ranked_in_both, also=within(both))
    assert narrowed is not None and narrowed.total < wide.total and ranked_in_both
    assert _counted(narrowed) == _counted(direct)
    assert sorted(narrowed.extra.tolist()) == sorted(direct.extra.tolist())
    assert wide.narrowed(None) is wide


def test_a_filter_on_a_field_that_varies_within_a_provision_is_counted_again(store: EmbeddedDocumentStore) -> None:
    assert store.provision_matches("despido", None).narrowed(RECENT) is None  # dates differ between an article's passages


def test_filters_that_select_the_same_rows_share_one_mask(store: EmbeddedDocumentStore) -> None:
    """One array per set of rows, whichever filter (or SQL) found them: what is remembered
    per mask, and a batch's lists, then serve every filter selecting those rows."""
    snapshot = store._snapshot()
    mx = {"field": "meta.jurisdiction", "operator": "==", "value": "MX"}
    spanish = {"field": "meta.language", "operator": "==", "value": "es"}
    first = store._mask(snapshot, mx)
    assert store._mask(snapshot, {"operator": "AND", "conditions": [mx, spanish]}) is first  # every MX document is Spanish
    assert store._mask(snapshot, {"operator": "AND", "conditions": [mx, mx]}) is first
    every_spanish = store._mask(snapshot, spanish)  # Honduras's too
    assert every_spanish is not first and every_spanish.sum() > first.sum()
    every_row = store._mask(snapshot, {"field": "meta.language", "operator": "in", "value": ["es", "en", "ka"]})
    assert every_row.all()
    assert store._mask(snapshot, {"field": "meta.date", "operator": ">=", "value": "1900"}) is every_row  # answered by SQL
