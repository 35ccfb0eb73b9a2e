"""Scaled indexes: exact sizes, nested growth, distinct but close replicas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from haystack import Document

from benchmarks.report import loglog_slope
from benchmarks.scale import SourceDocument, build_scaled_indexes, replica
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
