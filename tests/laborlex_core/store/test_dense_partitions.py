"""Partitioned dense search (large indexes): what a list scores, and that it is exact among it.

The index is small (3,000 passages shaped like e5's vectors: a common direction and 40 topics)
and partitioned by lowering ``partition_from_rows``; a real index is partitioned from 500k.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from laborlex_core.store.dense_partitions import Partitions, ProbeDepth, assign
from laborlex_core.store.embedded import EmbeddedDocumentStore

DIM = 384
ROWS = 3000
KA = {"field": "meta.language", "operator": "==", "value": "ka"}
ONE_DOCUMENT = {"field": "meta.doc_id", "operator": "==", "value": "d7"}


@pytest.mark.parametrize(
    ("depth", "allowed", "rows"),
    [
        (ProbeDepth(10, 0.05, 100), 10_000, 500),  # the share
        (ProbeDepth(10, 0.05, 1000), 10_000, 1000),  # the floor
        (ProbeDepth(10, 0.05, 1000), 600, 600),  # fewer allowed than the floor: all of them
        (ProbeDepth(10, 1.0, 1), 777, 777),
        (ProbeDepth(10, 0.05, 100), 0, 0),
    ],
)
def test_rows_a_list_scores(depth: ProbeDepth, allowed: int, rows: int) -> None:
    assert depth.rows_for(allowed) == rows


def _passages(seed: int = 11) -> list[Document]:
    rng = np.random.default_rng(seed)
    common = rng.normal(size=DIM)
    common /= np.linalg.norm(common)
    topics = rng.normal(size=(40, DIM))
    topics /= np.linalg.norm(topics, axis=1, keepdims=True)
    out = []
    for i in range(ROWS):
        v = 0.85 * common + 0.35 * topics[i % 40] + 0.25 * rng.normal(size=DIM) / np.sqrt(DIM)
        out.append(Document(id=f"p{i:05d}", content=f"texto {i}", embedding=(v / np.linalg.norm(v)).tolist(),
                            meta={"doc_id": f"d{i % 50}", "language": ["es", "en", "ka"][i % 50 % 3], "article": str(i)}))
    return out


@pytest.fixture(scope="module")
def passages() -> list[Document]:
    return _passages()


def _store(path: Path, passages: list[Document], share: float = 0.1, min_rows: int = 200) -> EmbeddedDocumentStore:
    store = EmbeddedDocumentStore(path, partition_from_rows=1000, probe_share=share, probe_min_rows=min_rows)
    if not path.exists() or store.count_documents() == 0:
        store.write_documents(passages)
    return store


def _queries(passages: list[Document], count: int = 8) -> list[np.ndarray]:
    rng = np.random.default_rng(5)
    out = []
    for j in range(count):
        q = np.asarray(passages[j * 211].embedding, dtype=np.float32) + rng.normal(0, 0.02, DIM).astype(np.float32)
        out.append(q / np.linalg.norm(q))
    return out


def _allowed(passages: list[Document], filters: dict | None) -> list[int]:
    if filters is None:
        return list(range(len(passages)))
    field, value = filters["field"].removeprefix("meta."), filters["value"]
    return [i for i, d in enumerate(passages) if d.meta[field] == value]


def test_partitions_hold_every_row_once_nearest_centroid(passages: list[Document]) -> None:
    matrix = np.asarray([d.embedding for d in passages], dtype=np.float32)
    parts = Partitions.build(matrix, np.ones(len(matrix), dtype=bool))
    assert parts.count == round(np.sqrt(ROWS))
    np.testing.assert_array_equal(np.sort(parts.order), np.arange(ROWS))
    np.testing.assert_array_equal(parts.order[parts.position], np.arange(ROWS))
    distances = ((matrix[:, None, :] - parts.centroids[None, :, :]) ** 2).sum(axis=2)
    np.testing.assert_array_equal(parts.of_row, distances.argmin(axis=1))
    for p in range(parts.count):
        held = parts.order[parts.offsets[p] : parts.offsets[p + 1]]
        np.testing.assert_array_equal(held, np.flatnonzero(parts.of_row == p))  # row order within
    keep = np.arange(0, ROWS, 2)
    extended = parts.extended(keep, matrix[:10])
    np.testing.assert_array_equal(extended.of_row, np.concatenate([parts.of_row[keep], assign(parts.centroids, matrix[:10])]))


def test_the_int8_copy_is_grouped_by_partition_and_saved_in_row_order(tmp_path: Path, passages: list[Document]) -> None:
    partitioned = _store(tmp_path / "a.sqlite3", passages)._snapshot().dense
    plain = EmbeddedDocumentStore(tmp_path / "b.sqlite3")
    plain.write_documents(passages)
    dense = plain._snapshot().dense
    assert dense.partitions is None and partitioned.partitions is not None
    assert partitioned.segments is None and dense.segments is not None  # below, grouped by document instead
    in_row_order, row_scales = dense.row_codes()
    np.testing.assert_array_equal(partitioned.packed, in_row_order[partitioned.partitions.order])
    codes, scales = partitioned.row_codes()
    np.testing.assert_array_equal(codes, in_row_order)
    np.testing.assert_array_equal(scales, row_scales)


@pytest.mark.parametrize("filters", [None, KA, ONE_DOCUMENT])
def test_a_list_scores_its_share_and_is_exact_among_what_it_scored(tmp_path: Path, passages: list[Document], filters: dict | None) -> None:
    store = _store(tmp_path / "index.sqlite3", passages)
    snapshot = store._snapshot()
    assert snapshot.dense.partitions is not None
    vectors = np.asarray([d.embedding for d in passages], dtype=np.float32)
    allowed = _allowed(passages, filters)
    found_exact = 0
    for query in _queries(passages):
        store.forget_query_scores()
        found = store.embedding_retrieval(query.tolist(), filters=filters, top_k=10)
        probe = store._snapshot().dense_scores(query).probe
        assert probe is not None
        scored = probe.scored
        scored_allowed = [i for i in allowed if scored[i]]
        assert len(scored_allowed) >= store.probe_depth.rows_for(len(allowed))
        assert len(scored_allowed) < len(allowed) or filters == ONE_DOCUMENT  # only part of the index was read
        among = sorted(((passages[i].id, float(vectors[i] @ query)) for i in scored_allowed), key=lambda x: -x[1])[:10]
        assert [d.id for d in found] == [i for i, _ in among]
        assert [d.score for d in found] == pytest.approx([s for _, s in among], rel=1e-6, abs=1e-6)
        truth = sorted(((passages[i].id, float(vectors[i] @ query)) for i in allowed), key=lambda x: -x[1])[:10]
        found_exact += {d.id for d in found} == {i for i, _ in truth}
    assert found_exact >= 6  # near partitions first: the true top-10 is usually all there


def test_probing_every_row_is_exact_search(tmp_path: Path, passages: list[Document]) -> None:
    store = _store(tmp_path / "index.sqlite3", passages, share=1.0)
    vectors = np.asarray([d.embedding for d in passages], dtype=np.float32)
    for query in _queries(passages, 4):
        for filters in (None, KA):
            truth = sorted(((passages[i].id, float(vectors[i] @ query)) for i in _allowed(passages, filters)), key=lambda x: -x[1])[:10]
            assert [d.id for d in store.embedding_retrieval(query.tolist(), filters=filters, top_k=10)] == [i for i, _ in truth]


def test_lists_of_one_query_share_what_was_scored(tmp_path: Path, passages: list[Document]) -> None:
    store = _store(tmp_path / "index.sqlite3", passages)
    query = _queries(passages, 1)[0]
    store.embedding_retrieval(query.tolist(), top_k=10)
    scores = store._snapshot().dense_scores(query)
    first = int(scores.probe.scored.sum())
    store.embedding_retrieval(query.tolist(), top_k=10)  # the same list again: nothing more to score
    assert int(scores.probe.scored.sum()) == first
    store.embedding_retrieval(query.tolist(), filters=KA, top_k=10)  # a third of the rows: more of them
    assert int(scores.probe.scored.sum()) >= first


def test_partitions_are_saved_reloaded_and_follow_writes(tmp_path: Path, passages: list[Document]) -> None:
    path = tmp_path / "index.sqlite3"
    store = _store(path, passages)
    query = _queries(passages, 1)[0]
    before = [d.id for d in store.embedding_retrieval(query.tolist(), filters=KA, top_k=10)]
    saved = store._snapshot().dense.partitions
    store.wait_for_snapshot()
    reopened = EmbeddedDocumentStore(path, partition_from_rows=1000, probe_share=0.1, probe_min_rows=200)
    loaded = reopened._snapshot().dense.partitions
    assert loaded is not None and loaded is not saved
    np.testing.assert_array_equal(loaded.of_row, saved.of_row)
    assert [d.id for d in reopened.embedding_retrieval(query.tolist(), filters=KA, top_k=10)] == before
    # below the threshold the same saved folder is searched exactly, without its partitions
    exact = EmbeddedDocumentStore(path)
    assert exact._snapshot().dense.partitions is None
    # a write: the new rows join the nearest partitions
    doc = reopened.document_passages("d7", with_embeddings=True)
    reopened.replace_document("d7", doc[:3], {"doc_id": "d7"})
    updated = reopened._snapshot()
    assert updated.dense.partitions is not None and len(updated.dense.partitions.of_row) == updated.size
    found = reopened.embedding_retrieval(query.tolist(), top_k=5)
    assert len(found) == 5


def test_the_probe_depth_comes_from_settings_and_survives_to_dict(tmp_path: Path) -> None:
    from laborlex_core.settings import Settings
    from laborlex_core.store import open_store

    settings = Settings(data_dir=tmp_path, dense_partition_from_rows=1234, dense_probe_share=0.25, dense_probe_min_rows=77)
    store = open_store(settings)
    assert isinstance(store, EmbeddedDocumentStore)
    assert store.probe_depth == ProbeDepth(1234, 0.25, 77)
    assert EmbeddedDocumentStore.from_dict(store.to_dict()).probe_depth == ProbeDepth(1234, 0.25, 77)


@pytest.mark.parametrize("filters", [None, KA, ONE_DOCUMENT])
def test_each_filters_rows_per_partition_are_counted_once(tmp_path: Path, passages: list[Document], filters: dict | None) -> None:
    """The count does not depend on the query: the second query's lists reuse the first's."""
    store = _store(tmp_path / "index.sqlite3", passages)
    first, second = _queries(passages, 2)
    store.embedding_retrieval(first.tolist(), filters=filters, top_k=10)
    snapshot = store._snapshot()
    dense, mask = snapshot.dense, store._mask(snapshot, filters)
    counted = dense._held.get(mask)
    allowed = dense.present if mask is None else mask & dense.present
    np.testing.assert_array_equal(counted, np.bincount(dense.partitions.of_row[allowed], minlength=dense.partitions.count))
    store.embedding_retrieval(second.tolist(), filters=filters, top_k=10)
    assert dense._held.get(mask) is counted


def test_a_list_ranks_the_partitions_it_chose_whatever_ran_before_it(tmp_path: Path, passages: list[Document]) -> None:
    """Lists of a query share the scoring, not the ranking: a list after others (of this
    request, or of another sharing the query's cached scores, as paging does) ranks the same
    rows as the list alone, so the same query and filter always give the same list."""
    store = _store(tmp_path / "index.sqlite3", passages)
    snapshot = store._snapshot()
    dense, ka = snapshot.dense, store._mask(snapshot, KA)
    for query in _queries(passages, 4):
        alone = dense.cover(dense.score(query), dense.present)
        shared = dense.score(query)
        dense.cover(shared, ka & dense.present, ka)  # another list scores partitions first
        after = dense.cover(shared, dense.present)
        assert int(shared.probe.scored.sum()) > len(after)  # more was scored than this list ranks
        np.testing.assert_array_equal(np.sort(after), np.sort(alone))
        store.forget_query_scores()
        first = [d.id for d in store.embedding_retrieval(query.tolist(), top_k=10)]
        store.embedding_retrieval(query.tolist(), filters=KA, top_k=10)
        assert [d.id for d in store.embedding_retrieval(query.tolist(), top_k=10)] == first


def test_lists_answered_on_several_threads_at_once_equal_those_answered_in_turn(tmp_path: Path, passages: list[Document]) -> None:
    """Queries share a snapshot's filter counts and, when they are the same query, its scores:
    threads asking at once (as the API's do) get what one thread asking in turn gets."""
    from concurrent.futures import ThreadPoolExecutor

    store = _store(tmp_path / "index.sqlite3", passages)
    asks = [(query, filters) for query in _queries(passages, 6) for filters in (None, KA, ONE_DOCUMENT)]

    def ask(pair: tuple[np.ndarray, dict | None]) -> list[str]:
        return [d.id for d in store.embedding_retrieval(pair[0].tolist(), filters=pair[1], top_k=10)]

    in_turn = [ask(pair) for pair in asks]
    store.forget_query_scores()
    store._snapshot().dense._held = type(store._snapshot().dense._held)()  # count the filters again, at once
    with ThreadPoolExecutor(max_workers=4) as pool:
        at_once = list(pool.map(ask, asks[::-1] * 3))
    assert at_once == in_turn[::-1] * 3
