"""Filters answered from the snapshot's columns (or, failing that, SQL) select exactly what SQL selects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from laborlex_core.store.embedded import EmbeddedDocumentStore
from laborlex_core.store.filter_masks import FEW_VALUES, CategoricalColumn, filter_mask

FILTERS = [
    {"field": "meta.jurisdiction", "operator": "==", "value": "MX"},
    {"field": "meta.language", "operator": "in", "value": ["es", "ka"]},
    {"field": "meta.jurisdiction", "operator": "in", "value": ["GE", "MX", "ZZ"]},  # rows without one never match
    {"field": "meta.kind", "operator": "in", "value": []},
    {"field": "meta.jurisdiction", "operator": "==", "value": "XX"},
    {"operator": "AND", "conditions": [
        {"field": "meta.jurisdiction", "operator": "==", "value": "MX"},
        {"field": "meta.kind", "operator": "==", "value": "statute"}]},
    {"operator": "OR", "conditions": [
        {"field": "meta.doc_id", "operator": "==", "value": "d1"},
        {"field": "meta.kind", "operator": "==", "value": "case_law"}]},
    {"operator": "AND", "conditions": [
        {"field": "meta.doc_id", "operator": "in", "value": ["d1", "d2"]},
        {"field": "meta.article", "operator": "==", "value": "1"}]},
]
FALLBACK = [
    {"operator": "NOT", "conditions": [{"field": "meta.kind", "operator": "==", "value": "statute"}]},
    {"field": "meta.jurisdiction", "operator": "!=", "value": "MX"},
    {"field": "meta.date", "operator": ">=", "value": "2000"},
    {"field": "meta.article", "operator": "==", "value": 1},
]


@pytest.fixture()
def store(tmp_path: Path) -> EmbeddedDocumentStore:
    rng = np.random.default_rng(1)
    store = EmbeddedDocumentStore(tmp_path / "i.sqlite3")
    docs = []
    for i in range(60):
        v = rng.normal(size=384)
        meta = {"doc_id": f"d{i % 4}", "language": ["es", "en", "ka"][i % 3], "article": str(i % 5),
                "jurisdiction": ["MX", "US", "GE", None][i % 4], "kind": ["statute", "case_law"][i % 2],
                "date": f"{1990 + i}-01-01", "ordinal": i, "chunk": 0}
        docs.append(Document(id=f"p{i}", content=f"texto {i}", meta={k: v for k, v in meta.items() if v is not None},
                             embedding=(v / np.linalg.norm(v)).tolist()))
    store.write_documents(docs)
    return store


@pytest.mark.parametrize("filters", FILTERS)
def test_mask_equals_sql(store: EmbeddedDocumentStore, filters: dict) -> None:
    snapshot = store._snapshot()
    mask = filter_mask(filters, snapshot.columns)
    assert mask is not None
    expected = np.isin(snapshot.rowids, store._filtered_rowids(filters))
    assert (mask == expected).all()


@pytest.mark.parametrize("filters", FILTERS + FALLBACK)
def test_snapshot_mask_equals_sql(store: EmbeddedDocumentStore, filters: dict) -> None:
    """The mask every ranked list is cut by: columns where they answer, SQL rowids otherwise."""
    snapshot = store._snapshot()
    mask = store._mask(snapshot, filters)
    expected = np.isin(snapshot.rowids, store._filtered_rowids(filters))
    assert mask is not None and (mask == expected).all()


@pytest.mark.parametrize("filters", FALLBACK)
def test_other_filters_fall_back_to_sql(store: EmbeddedDocumentStore, filters: dict) -> None:
    assert filter_mask(filters, store._snapshot().columns) is None
    query = store.filter_documents()[0].embedding
    found = {d.id for d in store.embedding_retrieval(query, filters=filters, top_k=100)}
    assert found == {d.id for d in store.filter_documents(filters)}


def test_dense_results_with_a_mask_filter_match_sql_filtering(store: EmbeddedDocumentStore) -> None:
    query = store.filter_documents()[5].embedding
    for filters in FILTERS:
        found = store.embedding_retrieval(query, filters=filters, top_k=7)
        allowed = {d.id: d for d in store.filter_documents(filters)}
        ranked = sorted(allowed, key=lambda i: -float(np.dot(allowed[i].embedding, query)))[:7]
        assert [d.id for d in found] == ranked


def test_null_values_never_match() -> None:
    column = CategoricalColumn.build(["MX", None, "US"])
    assert column.equals("MX").tolist() == [True, False, False]
    assert column.isin(["US", "XX"]).tolist() == [False, False, True]


@pytest.mark.parametrize(
    "values",
    [[], ["v3"], ["v3", "v7"], ["v1", "v3", "nope"], [f"v{i}" for i in range(0, 12, 2)], [f"v{i}" for i in range(11)], ["nope"]],
)
def test_isin_by_comparisons_or_by_table_equals_numpy(values: list[str]) -> None:
    """Up to FEW_VALUES codes the column is compared with each, above it a table is looked up;
    rows without a value (code -1) never match."""
    raw = [None if i % 7 == 0 else f"v{i % 12}" for i in range(500)]
    column = CategoricalColumn.build(raw)
    expected = np.array([v is not None and v in values for v in raw])
    assert (column.isin(values) == expected).all()
    assert FEW_VALUES < 11  # the longest list above takes the table


def test_a_column_lists_its_values_in_code_order_once() -> None:
    column = CategoricalColumn.build(["MX", None, "HN", "MX", "GE"])
    assert column.values() == ["MX", "HN", "GE"] and [column.values()[c] for c in column.codes if c >= 0] == ["MX", "HN", "MX", "GE"]
    assert column.values() is column.values()  # made once: a column never changes
