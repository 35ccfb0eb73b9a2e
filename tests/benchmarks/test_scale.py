"""Scaled indexes: exact sizes, nested growth, distinct but close replicas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from haystack import Document

from benchmarks.report import loglog_slope
from benchmarks.scale import SourceDocument, build_scaled_indexes, copy_index, replica
from laborlex_core.store.snapshot import derived_folder
from laborlex_core.store.embedded import EmbeddedDocumentStore


def _sources() -> list[SourceDocument]:
    rng = np.random.default_rng(0)
    docs = []
    for d, (jurisdiction, lang) in enumerate((("MX", "es"), ("GE", "ka"), ("US", "en"))):
        doc_id = f"doc{d}"
        passages = []
        for i in range(7):
            v = rng.normal(size=384).astype(np.float32)
            passages.append(Document(
                id=f"{doc_id}:{i}:0", content=f"artículo {i} salario horas trabajo {doc_id}",
                meta={"doc_id": doc_id, "language": lang, "jurisdiction": jurisdiction, "kind": "statute",
                      "article": str(i), "ordinal": i, "chunk": 0, "title": doc_id},
                embedding=(v / np.linalg.norm(v)).tolist(),
            ))
        docs.append(SourceDocument(doc_id, {"doc_id": doc_id, "language": lang, "jurisdiction": jurisdiction}, passages))
    return docs


def test_indexes_have_exact_sizes_and_grow_from_each_other(tmp_path: Path) -> None:
    folders = build_scaled_indexes(_sources(), [50, 20], tmp_path, progress=False)
    small = EmbeddedDocumentStore(folders[20] / "index.sqlite3")
    large = EmbeddedDocumentStore(folders[50] / "index.sqlite3")
    assert small.count_documents() == 20 and large.count_documents() == 50
    small_ids = {d.id for d in small.filter_documents()}
    assert small_ids <= {d.id for d in large.filter_documents()}
    assert large.facet_counts("jurisdiction").keys() == {"MX", "GE", "US"}


def test_a_copied_index_has_its_own_id_and_no_stale_snapshots(tmp_path: Path) -> None:
    folders = build_scaled_indexes(_sources(), [20], tmp_path, progress=False)
    source = folders[20] / "index.sqlite3"
    target = tmp_path / "copy" / "index.sqlite3"
    stale = derived_folder(target) / "g1-stale"
    stale.mkdir(parents=True)
    copy_index(source, target)
    original, copy = EmbeddedDocumentStore(source), EmbeddedDocumentStore(target)
    assert copy.count_documents() == original.count_documents() == 20
    assert copy._index_id() not in ("", original._index_id())
    assert not stale.exists()


def test_replicas_are_distinct_and_close() -> None:
    source = _sources()[0]
    doc_id, passages = replica(source, 3, 0)
    assert doc_id == "doc0.r3"
    for original, copy in zip(source.passages, passages):
        assert copy.id != original.id and copy.meta["doc_id"] == "doc0.r3"
        cosine = float(np.dot(original.embedding, copy.embedding))
        assert 0.98 < cosine < 1.0
    assert replica(source, 0, 0)[1] is source.passages


def test_loglog_slope() -> None:
    assert loglog_slope({1000: 1.0, 10000: 10.0, 100000: 100.0}) == 1.0
    assert loglog_slope({1000: 5.0}) is None


def test_replicas_carry_the_sources_sentence_vectors(tmp_path: Path) -> None:
    """Sentence vectors travel with each replica, a vector for every one of its sentences:
    an unchanged sentence keeps its own, also where the swapped word moved a sentence break."""
    from dataclasses import replace

    from benchmarks.scale import read_source
    from laborlex_core.snippet_sentences import SENTENCE_VECTORS_META, SentenceBlock, sentences

    rng = np.random.default_rng(1)
    source_store = EmbeddedDocumentStore(tmp_path / "source.sqlite3")
    passages = []
    for document in _sources()[0].passages:
        text = f"Primera oración larga sobre el salario mínimo {document.id}. Segunda oración sobre las horas extra del turno."
        group = sentences(text)
        vectors = rng.normal(size=(len(group), 384)).astype(np.float32)
        block = SentenceBlock.encode(group, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
        passages.append(replace(document, content=text, meta={**document.meta, SENTENCE_VECTORS_META: block.to_bytes()}))
    source_store.replace_document("doc0", passages, {"doc_id": "doc0"})
    (source,) = read_source(source_store)
    assert all(SENTENCE_VECTORS_META in p.meta for p in source.passages)
    moved = 0
    for r in range(1, 9):
        for original, copy in zip(source.passages, replica(source, r, 0)[1]):
            wanted = sentences(copy.content or "")
            before = SentenceBlock.from_bytes(original.meta[SENTENCE_VECTORS_META]).vectors_for(sentences(original.content or ""))
            after = SentenceBlock.from_bytes(copy.meta[SENTENCE_VECTORS_META]).vectors_for(wanted)
            assert list(after) == wanted
            assert all(np.array_equal(after[text], before[text]) for text in wanted if text in before)
            moved += len(wanted) != len(before)
    assert moved > 0  # some swapped word did move a sentence break
    folders = build_scaled_indexes([source], [14], tmp_path / "scaled", progress=False)
    scaled = EmbeddedDocumentStore(folders[14] / "index.sqlite3")
    ids = [d.id for d in scaled.filter_documents()]
    assert sorted(scaled.sentence_vectors(ids)) == sorted(ids)
