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
