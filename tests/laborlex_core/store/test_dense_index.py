"""The int8 first pass: its integer products are exact, its error bound holds for every row;
a saved matrix is read whole."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from laborlex_core.store.dense_index import DenseIndex, _read_npy, int8_products


@pytest.mark.parametrize(
    ("rows", "dim"),
    [
        (1000, 384),  # float32 holds every product exactly: 384 x 127 x 127 < 2^24
        (7, 3),
        (0, 384),  # an empty slice (a partition with no rows)
        (50, 1100),  # 1100 x 127 x 127 > 2^24: returned as float64, still exact
    ],
)
def test_int8_products_are_exact(rows: int, dim: int) -> None:
    rng = np.random.default_rng(rows + dim)
    codes = rng.integers(-127, 128, (rows, dim), dtype=np.int8)
    codes[:1] = 127  # the extremes, where a narrower accumulator would overflow
    query = np.full(dim, 127, dtype=np.int8)
    query[::2] = -127
    for q in (query, rng.integers(-127, 128, dim, dtype=np.int8)):
        expected = codes.astype(np.int64) @ q.astype(np.int64)
        np.testing.assert_array_equal(int8_products(q, codes).astype(np.int64), expected)
        np.testing.assert_array_equal(int8_products(q, codes, threads=2).astype(np.int64), expected)


def _e5_like(rng: np.random.Generator, rows: int, dim: int = 384) -> np.ndarray:
    """Unit vectors sharing a large common direction (cosines of unrelated rows ~0.75), as e5's do."""
    common = rng.normal(size=dim)
    common /= np.linalg.norm(common)
    spread = rng.normal(size=(rows, dim)) / np.sqrt(dim)
    spread[::97] *= 8  # a few outlying rows, whose scale sets the largest errors
    vectors = 0.87 * common + 0.5 * spread
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize(
    "query",
    [
        "a row",  # the nearest neighbour's own vector, slightly moved
        "random",  # a unit vector unlike any row
        "one large component",  # int8 rounding puts most of the query's error on the others
        "zero",
    ],
)
def test_every_approximate_score_is_within_the_bound(query: str) -> None:
    rng = np.random.default_rng(17)
    matrix = _e5_like(rng, 5000)
    present = np.ones(len(matrix), dtype=bool)
    present[::13] = False
    index = DenseIndex.build(matrix, present)
    assert index.packed is not None and index.packed.dtype == np.int8
    vector = {
        "a row": matrix[42] + rng.normal(0, 0.01, 384),
        "random": rng.normal(size=384),
        "one large component": np.eye(384)[7] + rng.normal(0, 0.001, 384),
        "zero": np.zeros(384),
    }[query].astype(np.float32)
    if vector.any():
        vector /= np.linalg.norm(vector)
    scores = index.score(vector)
    exact = matrix.astype(np.float64) @ vector.astype(np.float64)
    assert scores.bound > 0
    assert np.all(np.abs(exact[present] - scores.approx[present]) <= scores.bound)
    assert np.all(scores.approx[~present] == -np.inf)


def test_a_saved_matrix_is_read_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The background read of a snapshot's vectors: the same bits, or None for a cut file
    (the mapped copy then keeps answering). It parses no header (Python 3.11's AST builder
    is not safe in two threads at once), so it reads with ``ast.literal_eval`` unusable."""
    import ast

    matrix = np.random.default_rng(5).standard_normal((300, 384)).astype(np.float32)
    path, cut = tmp_path / "vectors.npy", tmp_path / "cut.npy"
    np.save(path, matrix)
    mapped = np.load(path, mmap_mode="r")
    cut.write_bytes(path.read_bytes()[:-4])

    def no_parsing(*args: object) -> None:
        raise AssertionError("the header was parsed again")

    monkeypatch.setattr(ast, "literal_eval", no_parsing)
    read = _read_npy(path, mapped)
    assert read is not None and not isinstance(read, np.memmap) and np.array_equal(read, matrix)
    assert _read_npy(cut, mapped) is None


def test_the_pass_gives_the_same_scores_on_any_number_of_threads(tmp_path: Path) -> None:
    """LABORLEX_DENSE_THREADS reaches the store and changes only the speed: each thread takes
    whole rows, so the scores are the same bits."""
    from laborlex_core.settings import Settings
    from laborlex_core.store import open_store

    rng = np.random.default_rng(23)
    matrix = _e5_like(rng, 3000)
    index = DenseIndex.build(matrix, np.ones(len(matrix), dtype=bool))
    vector = matrix[7]
    one, two = index.score(vector, threads=1), index.score(vector, threads=2)
    assert np.array_equal(one.approx, two.approx) and one.bound == two.bound
    store = open_store(Settings(data_dir=tmp_path, dense_threads=2))
    assert store.dense_threads == 2 and type(store).from_dict(store.to_dict()).dense_threads == 2


def test_the_rows_a_filter_allows_are_found_once_per_mask() -> None:
    """The filter's rows that have a vector, the same read-only array for every list under
    the filter; no filter allows the rows with a vector."""
    rng = np.random.default_rng(3)
    matrix = _e5_like(rng, 40)
    present = np.ones(40, dtype=bool)
    present[::7] = False
    index = DenseIndex.build(matrix, present)
    mask = np.zeros(40, dtype=bool)
    mask[5:30] = True
    allowed = index.allowed(mask)
    np.testing.assert_array_equal(allowed, mask & present)
    assert index.allowed(mask) is allowed and not allowed.flags.writeable
    assert index.allowed(mask.copy()) is not allowed  # another filter's array
    assert index.allowed(None) is index.present
