"""The int8 copy grouped by document: the grouping, the slices a filter reads, and that every
list is still the exact top-k while only the groups it allows are scored."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from laborlex_core.store import dense_index
from laborlex_core.store.dense_index import DenseIndex
from laborlex_core.store.dense_segments import Segments, document_keys
from laborlex_core.store.embedded import EmbeddedDocumentStore
from laborlex_core.store.ranking import top_dense

DIM = 384


def test_groups_are_numbered_in_key_order_and_hold_their_rows_in_row_order() -> None:
    keys = np.array([30, 10, 30, 20, 10, 30])
    segments = Segments.of_keys(keys)
    assert segments.of_row.tolist() == [2, 0, 2, 1, 0, 2]
    assert segments.order.tolist() == [1, 4, 3, 0, 2, 5]
    assert segments.offsets.tolist() == [0, 2, 3, 6]
    np.testing.assert_array_equal(segments.order[segments.position], np.arange(len(keys)))


@pytest.mark.parametrize(
    ("wanted", "spans"),
    [
        ([True, True, True], [(0, 6)]),  # every group: one slice
        ([False, False, False], []),
        ([True, False, True], [(0, 2), (3, 6)]),
        ([False, True, True], [(2, 6)]),  # neighbours joined
        ([False, True, False], [(2, 3)]),
    ],
)
def test_the_wanted_groups_are_read_as_few_slices(wanted: list[bool], spans: list[tuple[int, int]]) -> None:
    segments = Segments.of_keys(np.array([30, 10, 30, 20, 10, 30]))
    assert segments.spans(np.array(wanted)) == spans


@pytest.mark.parametrize(
    ("columns", "order"),
    [
        ([[1, 0, 1, 0], [0, 1, 1, 0]], [3, 1, 0, 2]),  # by the first column, then the second
        ([[0, -1, 0], [2, 0, 1]], [1, 2, 0]),  # -1 (no value) first
        ([[5, 5, 5]], [0, 1, 2]),
    ],
)
def test_document_keys_sort_rows_by_each_column_in_turn(columns: list[list[int]], order: list[int]) -> None:
    keys = document_keys([np.array(c, dtype=np.int32) for c in columns])
    assert np.argsort(keys, kind="stable").tolist() == order


def _index(rows: int = 3000, groups: int = 60, seed: int = 3) -> tuple[DenseIndex, np.ndarray, np.ndarray]:
    """An e5-like index whose rows belong to documents interleaved in row order (as documents
    re-ingested at different times are), segmented by document."""
    rng = np.random.default_rng(seed)
    common = rng.normal(size=DIM)
    common /= np.linalg.norm(common)
    vectors = 0.87 * common + 0.5 * rng.normal(size=(rows, DIM)) / np.sqrt(DIM)
    matrix = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    present = np.ones(rows, dtype=bool)
    present[::29] = False
    document = rng.integers(0, groups, rows)
    index = DenseIndex.build(matrix, present)
    index.segment(document)
    return index, matrix, document


def _exact_top(matrix: np.ndarray, allowed: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    scores = matrix @ query
    rows = np.flatnonzero(allowed)
    return rows[np.lexsort((rows, -scores[rows]))][:k].tolist()


def test_every_list_is_the_exact_top_k_and_scores_only_the_groups_it_allows() -> None:
    index, matrix, document = _index()
    assert index.segments is not None and index.segments.count == 60
    rng = np.random.default_rng(9)
    query = matrix[17] + rng.normal(0, 0.02, DIM).astype(np.float32)
    query /= np.linalg.norm(query)
    scores = index.score(query)
    assert np.all(scores.approx == -np.inf)  # nothing scored before a list asks
    few = np.isin(document, [4, 5, 6])  # three documents
    cut = few & (np.arange(len(document)) % 2 == 0)  # a filter cutting through them (e.g. dates)
    in_one = document == 50
    for mask, k in ((cut, 10), (few, 10), (in_one, 5), (few, 500)):
        rows, _ = top_dense(index, scores, mask, k)
        assert rows.tolist() == _exact_top(matrix, mask & index.present, query, k)
    scored = np.isfinite(scores.approx)
    assert set(document[scored].tolist()) == {4, 5, 6, 50}  # the groups asked for, no other
    assert np.all(scored[(np.isin(document, [4, 5, 6, 50])) & index.present])
    rows, _ = top_dense(index, scores, None, 10)  # no filter: every group
    assert rows.tolist() == _exact_top(matrix, index.present, query, 10)
    assert np.all(np.isfinite(scores.approx[index.present]))
    assert np.all(scores.approx[~index.present] == -np.inf)  # a row without a vector is never a candidate
    # the same integer products and float32 steps as one pass in row order: the same bits
    np.testing.assert_array_equal(scores.approx, DenseIndex.build(matrix, index.present).score(query).approx)


def test_a_list_of_nearly_every_row_is_one_pass_in_row_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """No filter (or one allowing FULL_PASS_SHARE of the rows) and nothing scored yet: one
    kernel call over the copy kept in row order, whose scores need no scatter."""
    index, matrix, document = _index()
    plain = DenseIndex.build(matrix, index.present)
    calls: list[tuple[int, bool]] = []
    products = dense_index.int8_products
    monkeypatch.setattr(
        dense_index, "int8_products", lambda q, codes, threads=1: calls.append((len(codes), codes is index.row_codes()[0])) or products(q, codes, threads)
    )
    scores = index.score(matrix[5])
    rows, _ = top_dense(index, scores, document != 7, 10)  # all but one of 60 documents
    assert calls == [(len(matrix), True)] and bool(scores.probe.done.all())
    assert rows.tolist() == _exact_top(matrix, (document != 7) & index.present, matrix[5], 10)
    np.testing.assert_array_equal(scores.approx, plain.score(matrix[5]).approx)


def test_a_group_is_scored_once_per_query(monkeypatch: pytest.MonkeyPatch) -> None:
    index, matrix, document = _index()
    scores = index.score(matrix[3])
    slices: list[int] = []
    products = dense_index.int8_products
    monkeypatch.setattr(dense_index, "int8_products", lambda q, codes, threads=1: slices.append(len(codes)) or products(q, codes, threads))
    for _ in range(2):
        top_dense(index, scores, np.isin(document, [1, 2]), 10)
    top_dense(index, scores, np.isin(document, [2, 3]), 10)
    assert slices == [int(np.isin(document, [1, 2]).sum()), int((document == 3).sum())]


def test_the_grouped_copy_is_saved_in_row_order() -> None:
    index, matrix, document = _index()
    plain = DenseIndex.build(matrix, index.present)
    assert plain.segments is None and plain.packed is not None
    codes, scales = index.row_codes()
    np.testing.assert_array_equal(codes, plain.packed)
    np.testing.assert_array_equal(scales, plain.scales)
    np.testing.assert_array_equal(index.packed, plain.packed[index.segments.order])
    keep, added = np.arange(0, len(matrix), 3), matrix[:5] * 0.5  # an update: some rows kept, some new
    extended, extended_plain = index.extended(keep, added, np.ones(5, dtype=bool)), plain.extended(keep, added, np.ones(5, dtype=bool))
    assert extended.segments is None  # the snapshot groups the new index by its own documents
    np.testing.assert_array_equal(extended.packed, extended_plain.packed)


def test_the_store_groups_rows_by_jurisdiction_language_kind_and_document(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    docs = [("us-a", "US", "en"), ("mx-a", "MX", "es"), ("us-b", "US", "en"), ("mx-b", "MX", "es")]
    store = EmbeddedDocumentStore(tmp_path / "index.sqlite3")
    for round_ in range(3):  # each document's passages written in several turns: interleaved rowids
        store.write_documents([
            Document(id=f"{doc}-{round_}-{i}", content=f"texto {i}", embedding=rng.normal(size=DIM).tolist(),
                     meta={"doc_id": doc, "jurisdiction": jur, "language": lang, "kind": "statute", "article": str(i)})
            for doc, jur, lang in docs for i in range(2)
        ])
    snapshot = store._snapshot()
    segments = snapshot.dense.segments
    assert segments is not None and segments.count == 4
    held = [(snapshot.value_of("jurisdiction", int(r)), snapshot.value_of("doc_id", int(r))) for r in segments.order]
    groups = [set(held[a:b]) for a, b in zip(segments.offsets[:-1], segments.offsets[1:])]
    assert all(len(group) == 1 for group in groups)  # a group is one document's rows
    jurisdictions = [next(iter(group))[0] for group in groups]
    assert jurisdictions in (["MX", "MX", "US", "US"], ["US", "US", "MX", "MX"])  # a jurisdiction's documents are neighbours
