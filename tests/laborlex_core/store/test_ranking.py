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
