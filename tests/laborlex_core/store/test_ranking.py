"""Top-k selections over one query's scores (laborlex_core/store/ranking.py)."""

from __future__ import annotations

import numpy as np
import pytest

from laborlex_core.store.ranking import order_top, top_matches

SCORES = np.array([0.0, 3.0, 1.0, 3.0, 0.0, 2.0, 5.0, 1.0])
MATCHED = np.flatnonzero(SCORES)  # rows 1, 2, 3, 5, 6, 7


@pytest.mark.parametrize(
    ("mask", "k", "rows"),
    [
        (None, 3, [6, 1, 3]),  # ties (rows 1 and 3 at 3.0) by row
        (None, 2, [6, 1]),  # a tie cut at k: the lower row
        (None, 10, [6, 1, 3, 5, 2, 7]),
        ([1, 0, 1, 0, 1, 1, 0, 1], 2, [5, 2]),
        ([0] * 8, 3, []),
        (None, 0, []),
    ],
)
def test_top_matches_best_first_ties_by_row(mask: list[int] | None, k: int, rows: list[int]) -> None:
    allowed = None if mask is None else np.asarray(mask, dtype=bool)
    found, scores = top_matches(SCORES, MATCHED, allowed, k)
    assert found.tolist() == rows
    assert scores.tolist() == SCORES[rows].tolist()


@pytest.mark.parametrize("seed", range(4))
def test_order_top_equals_a_full_sort_by_score_then_row(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(10_000, size=3_000, replace=False))
    scores = np.round(rng.random(3_000) * 20) / 10  # coarse: many ties
    for k in (1, 7, 100, 5_000):
        found, values = order_top(rows, scores, k)
        expected = sorted(zip(rows.tolist(), scores.tolist()), key=lambda pair: (-pair[1], pair[0]))[:k]
        assert found.tolist() == [r for r, _ in expected]
        assert values.tolist() == [s for _, s in expected]


@pytest.mark.parametrize("k", [1, 10, 100])
def test_rescoring_best_first_gives_the_top_k_of_rescoring_every_candidate(k: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Near-duplicates (4 passages, 3,000 perturbed copies each) put many rows within the int8
    error bound of the k-th, as the scaled 1M bench index does; batches of 16 rows here."""
    from laborlex_core.store import ranking
    from laborlex_core.store.dense_index import DenseIndex

    monkeypatch.setattr(ranking, "RESCORE_BATCH", 16)
    rng = np.random.default_rng(k)
    bases = rng.normal(size=(4, 384)).astype(np.float32)
    bases /= np.linalg.norm(bases, axis=1, keepdims=True)
    matrix = np.repeat(bases, 3000, axis=0) + rng.normal(0, 0.02, size=(12_000, 384)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    index = DenseIndex.build(matrix, np.ones(len(matrix), dtype=bool))
    for spread in (2.0, 1.0):
        away = rng.normal(size=384).astype(np.float32)
        query = bases[1] + spread * away / np.linalg.norm(away)
        query = (query / np.linalg.norm(query)).astype(np.float32)
        scores = index.score(query)
        candidates = ranking._within_bound(np.arange(len(matrix)), scores.approx, k, scores.bound)
        assert len(candidates) > 2 * ranking.RESCORE_BATCH  # the batched path, not the single pass
        found, values = ranking._rescored_best_first(index, scores, candidates, k)
        assert np.all(np.diff(found) > 0) and set(found) <= set(candidates)
        top, top_values = order_top(found, values, k)
        every, every_values = order_top(candidates, index.exact(candidates, query), k)
        np.testing.assert_array_equal(top, every)
        np.testing.assert_allclose(top_values, every_values, rtol=1e-6, atol=1e-7)
        if k < 100:
            assert len(found) < len(candidates)  # it stopped before the last candidate


def e5_shaped_index(seed: int, rows: int = 6_000, dim: int = 384):
    """Vectors with a common direction and 40 topics (cosines of unrelated rows ~0.75, as e5's)."""
    from laborlex_core.store.dense_index import DenseIndex

    rng = np.random.default_rng(seed)
    common = rng.normal(size=dim)
    common /= np.linalg.norm(common)
    topics = rng.normal(size=(40, dim))
    topics /= np.linalg.norm(topics, axis=1, keepdims=True)
    matrix = 0.85 * common + 0.35 * topics[np.arange(rows) % 40] + 0.25 * rng.normal(size=(rows, dim)) / np.sqrt(dim)
    matrix = (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)
    index = DenseIndex.build(matrix, np.ones(rows, dtype=bool))
    masks = [None, rng.random(rows) < 0.5, rng.random(rows) < 0.2, rng.random(rows) < 0.004]  # the last: past the prefix
    queries = [(matrix[i * 131] + rng.normal(0, 0.02, dim).astype(np.float32)) for i in range(8)]
    return index, masks, [(q / np.linalg.norm(q)).astype(np.float32) for q in queries]


@pytest.mark.parametrize("k", [1, 10, 50])
def test_dense_candidates_hold_the_exact_top_k_within_a_narrower_band(k: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The candidates hold every row of the exact top-k (ties included), lie within the 2 x bound
    band a threshold on approximate scores alone would take, and are fewer than it."""
    from laborlex_core.store import ranking

    monkeypatch.setattr(ranking, "DENSE_PREFIX", 512)
    index, masks, queries = e5_shaped_index(k)
    assert index.packed is not None
    fewer = band_total = 0
    for query in queries:
        scores = index.score(query)
        exact = index.matrix @ query
        for mask in masks:
            allowed = index.present if mask is None else mask & index.present
            candidates = ranking._candidates(index, scores, allowed, k)
            rows = np.flatnonzero(allowed)
            kth = np.sort(exact[rows])[::-1][min(k, len(rows)) - 1]
            assert set(rows[exact[rows] >= kth - 1e-6]) <= set(candidates.tolist())
            band = ranking._within_bound(rows, scores.approx[rows], k, scores.bound)
            assert set(candidates.tolist()) <= set(band.tolist())
            fewer += len(candidates)
            band_total += len(band)
    assert fewer < 0.8 * band_total


def test_a_query_re_scores_each_row_once_across_its_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lists of one query (no filter, per language-like masks) share their exact re-scoring;
    each list is still the float32 top-k, ties by row."""
    from laborlex_core.store import ranking
    from laborlex_core.store.dense_index import DenseIndex

    index, masks, queries = e5_shaped_index(5)
    seen: list[np.ndarray] = []
    exact_rows = DenseIndex.exact

    def spy(self: DenseIndex, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
        seen.append(rows.copy())
        return exact_rows(self, rows, query)

    monkeypatch.setattr(DenseIndex, "exact", spy)
    for query in queries:
        seen.clear()
        scores = index.score(query)
        for mask in masks * 2:  # each list twice: the second time re-scores nothing
            allowed = index.present if mask is None else mask & index.present
            found, values = ranking.top_dense(index, scores, mask, 20)
            rows = np.flatnonzero(allowed)
            expected = order_top(rows, exact_rows(index, rows, query), 20)[0]
            np.testing.assert_array_equal(found, expected)
            np.testing.assert_array_equal(values, scores.known[found])
        every = np.concatenate(seen)
        assert len(every) == len(np.unique(every))


@pytest.mark.parametrize(
    ("values", "size"),
    [
        (np.random.default_rng(0).random(10_000, dtype=np.float32), 500),
        (np.repeat(np.float32([0.5, 0.7, 0.9]), 2_000), 100),  # ties at the cut: all of them inside
        (np.concatenate([np.full(3_000, -np.inf, np.float32), np.random.default_rng(1).random(3_000, dtype=np.float32)]), 256),
        (np.arange(50, dtype=np.float32), 64),  # fewer rows than the prefix: every row, nothing below
    ],
)
def test_the_dense_prefix_holds_every_row_at_or_above_its_cut(values: np.ndarray, size: int) -> None:
    from laborlex_core.store.ranking import _prefix

    rows, cut = _prefix(values, size)
    assert np.all(np.diff(rows) > 0)
    assert np.array_equal(rows, np.flatnonzero(values >= cut))
    if len(values) > size:
        assert cut > -np.inf and len(rows) >= size // 2
    else:
        assert cut == -np.inf and len(rows) == len(values)
