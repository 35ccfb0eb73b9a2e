"""Top-k of one query's scores under a filter mask: every ranked list is a selection, not a search.

Ties are broken by row (SQLite rowid order), so the same scores always give the same list.
"""

from __future__ import annotations

import numpy as np

from laborlex_core.store.dense_index import DenseIndex, DenseScores

# Rows of a query's best dense scores set apart: most filtered lists find their top-k (and
# every row that could still reach it) among them.
DENSE_PREFIX = 4096
PREFIX_STRIDE = 16  # the prefix's cut is estimated on every 16th row's score
# Past this share of the allowed rows, re-scoring candidates one by one costs more than one
# float32 pass over the whole matrix.
EXACT_FALLBACK = 0.05
# On a partitioned index, candidates are re-scored best first in batches of this many rows
# once there are more than two batches of them (see _rescored_best_first).
RESCORE_BATCH = 1024


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


# An empty list: (rows, scores), shared by every list whose filter selects no row.
NO_ROWS: tuple[np.ndarray, np.ndarray] = (_read_only(np.empty(0, dtype=np.int64)), _read_only(np.empty(0, dtype=np.float32)))


def allows_none(mask: np.ndarray | None) -> bool:
    """Whether a filter's mask selects no row: its list is empty, and the query's terms or
    vector need not be scored for it (a quarter of a hybrid search's lists under a user's
    filter: the branches' other languages within a one-language filter)."""
    return mask is not None and not mask.any()


def order_top(rows: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best of ``rows`` (ascending) by ``scores`` (aligned), best first, ties by row."""
    if k <= 0 or len(rows) == 0:
        return rows[:0], scores[:0]
    if len(rows) > k:
        cut = np.argpartition(-scores, k - 1)
        kth = scores[cut[k - 1]]
        keep = np.flatnonzero(scores >= kth)  # every row tied with the k-th, in row order
        rows, scores = rows[keep], scores[keep]
    order = np.lexsort((rows, -scores))[:k]
    return rows[order], scores[order]


def top_matches(scores: np.ndarray, matched: np.ndarray, mask: np.ndarray | None, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k of the rows with a positive score (``matched``, ascending) that the mask allows."""
    rows = matched if mask is None else matched[mask[matched]]
    return order_top(rows, scores[rows], k)


def top_dense(index: DenseIndex, scores: DenseScores, mask: np.ndarray | None, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k by cosine among the rows the mask allows (rows without a vector never);
    on a partitioned index, among the allowed rows of the partitions the list chose."""
    allowed = index.allowed(mask)
    if index.partitions is not None and scores.probe is not None:  # the best among the rows of the list's partitions
        with scores.probe.lock:
            rows = index.cover(scores, allowed, mask)
            candidates = np.sort(_within_bound(rows, scores.approx[rows], k, scores.bound))
        return order_top(*_rescored_best_first(index, scores, candidates, k), k)
    if scores.bound == 0.0:
        rows = np.flatnonzero(allowed)
        return order_top(rows, scores.approx[rows], k)
    if scores.probe is not None:  # a segmented index: the list's documents scored first (once a query)
        with scores.probe.lock:
            index.score_segments(scores, allowed, mask)
            return _exact_top(index, scores, allowed, k)
    return _exact_top(index, scores, allowed, k)


def _exact_top(index: DenseIndex, scores: DenseScores, allowed: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The exact top-k of the allowed rows, every one of them scored: candidates within the
    bound re-scored, or (too many of them) every row scored exactly once for the query."""
    if scores.exact is None:
        candidates = _candidates(index, scores, allowed, k)
        if len(candidates) <= max(EXACT_FALLBACK * len(allowed), 4 * k):
            candidates = np.sort(candidates)
            return order_top(candidates, rescored(index, scores, candidates), k)
        # too many rows within the bound to gather one by one: score every row exactly,
        # once for this query (the later lists of the query reuse it)
        scores.exact = index.matrix @ scores.query
    rows = np.flatnonzero(allowed)
    return order_top(rows, scores.exact[rows], k)


def rescored(index: DenseIndex, scores: DenseScores, rows: np.ndarray) -> np.ndarray:
    """Exact scores of ``rows`` (ascending), each row computed once per query and kept in
    ``scores.known`` for the query's other lists. A partitioned index (a million rows, where
    keeping them would cost more than re-scoring) computes them each time."""
    if index.partitions is not None:
        return index.exact(rows, scores.query)
    with scores.lock:
        if scores.known is None:
            scores.known = np.full(len(scores.approx), np.nan, dtype=np.float32)
        values = scores.known[rows]
        missing = np.isnan(values)
        if missing.any():
            fresh = index.exact(rows[missing], scores.query)
            values[missing] = fresh
            scores.known[rows[missing]] = fresh
    return values


def _candidates(index: DenseIndex, scores: DenseScores, allowed: np.ndarray, k: int) -> np.ndarray:
    """Rows whose approximate score could reach the exact top-k of the allowed rows.

    The k best allowed rows by approximate score are re-scored first: the least of their exact
    scores, L, is at most the k-th best exact score, so a row of the top-k has approx >=
    exact - bound >= L - bound (rows tied with the k-th too). L is within the bound of the k-th
    approximate score, so the band is about half of the 2 x bound a threshold on approximate
    scores alone needs: fewer rows to re-score."""
    approx = scores.approx
    if scores._prefix is None:
        scores._prefix = _prefix(approx, DENSE_PREFIX)
    prefix, below = scores._prefix
    within = prefix[allowed[prefix]]
    if len(within) >= k:
        best = within[np.argpartition(approx[within], len(within) - k)[len(within) - k :]]
        threshold = _exact_floor(index, scores, best) - scores.bound
        if threshold >= below:  # every row outside the prefix scores below the threshold
            return within[approx[within] >= threshold]
    rows = np.flatnonzero(allowed)
    if len(rows) <= k:
        return rows
    values = approx[rows]
    best = rows[np.argpartition(values, len(values) - k)[len(values) - k :]]
    return rows[values >= _exact_floor(index, scores, best) - scores.bound]


def _prefix(approx: np.ndarray, size: int) -> tuple[np.ndarray, float]:
    """About ``size`` rows with the best approximate scores, ascending, and the score every
    other row is below (-inf when they are every row). The cut is the matching quantile of
    every PREFIX_STRIDE-th row's score: a partition of the whole array, and a sort of the
    prefix, cost ~0.3 ms a query at 100k rows and the lists need neither."""
    n = len(approx)
    if n <= size:
        return np.arange(n), -np.inf
    sample = approx[::PREFIX_STRIDE]
    place = len(sample) - max(1, size // PREFIX_STRIDE)
    cut = float(np.partition(sample, place)[place])
    return np.flatnonzero(approx >= cut), cut


def _exact_floor(index: DenseIndex, scores: DenseScores, rows: np.ndarray) -> float:
    """The least exact score of ``rows`` (k of them): the k-th best exact score is at least it."""
    return float(rescored(index, scores, np.sort(rows)).min())


def _rescored_best_first(index: DenseIndex, scores: DenseScores, candidates: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact scores of the candidates that can reach the top-k: (rows, scores), rows ascending.

    At 1M passages, near-duplicate passages put thousands of rows within the error bound of
    the k-th, and gathering each of them from the mapped float32 matrix took up to 45 ms a
    list. Best approximate score first, a batch at a time: once the k-th best exact score
    found exceeds the next row's approximate score plus the bound, no row left can reach it
    (nor tie it), so the top-k is the one a single pass over every candidate gives."""
    if len(candidates) <= 2 * RESCORE_BATCH:
        return candidates, index.exact(candidates, scores.query)
    approx = scores.approx[candidates]
    order = np.argsort(-approx, kind="stable")
    found_rows: list[np.ndarray] = []
    found_values: list[np.ndarray] = []
    best: np.ndarray = np.empty(0, dtype=np.float32)  # the k best exact scores so far
    for start in range(0, len(order), RESCORE_BATCH):
        if len(best) >= k and approx[order[start]] + scores.bound < best.min():
            break
        batch = np.sort(candidates[order[start : start + RESCORE_BATCH]])
        values = index.exact(batch, scores.query)
        found_rows.append(batch)
        found_values.append(values)
        pooled = np.concatenate([best, values])
        best = pooled if len(pooled) <= k else np.partition(pooled, len(pooled) - k)[len(pooled) - k :]
    rows, values = np.concatenate(found_rows), np.concatenate(found_values)
    ascending = np.argsort(rows, kind="stable")
    return rows[ascending], values[ascending]


def _within_bound(rows: np.ndarray, values: np.ndarray, k: int, bound: float) -> np.ndarray:
    """The rows (ascending, ``values`` their approximate scores) within twice the bound of the
    k-th best: the exact top-k of these rows is among them."""
    if len(rows) <= k:
        return rows
    kth = np.partition(values, len(values) - k)[len(values) - k]
    return rows[values >= kth - 2.0 * bound]
