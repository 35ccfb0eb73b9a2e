"""How fast this machine is at the moment of a bench run, so that runs on other machines, or
at other moments, can be read side by side.

Absolute times move with the machine: the same code measured the store's full hybrid at 100k
passages in 5.5-6.2 ms p50 on one 2-core machine and in 11.2-12.4 ms on another of the same
kind (README *Issue 11, twelfth stop*). Two reference workloads, each a fixed piece of what a search does,
are timed like the bench's legs (p50 of repeated calls):

* ``int8_pass_ms``: the store's own first dense pass (``DenseIndex.score``: the int8 kernel
  over every row, then the error bound) on a seeded random matrix of ``REFERENCE_ROWS`` rows
  of 384 dimensions: memory bandwidth and the kernel's threads, ~15-30% of a search at 100k
  (SimSIMD's kernel since the fourteenth stop, torch's before: compare its figure only
  between runs of the same kernel);
* ``python_ms``: a fixed pure-Python workload (dictionary and string work, as in a pipeline
  hop, fusion or a snippet): the interpreter's speed, which most of the rest follows.

The bench takes them at the start and at the end of a run: where the two differ, the load on
the machine moved during the run, and figures of one leg and another are not comparable.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.stats import percentile
from laborlex_core.store.dense_index import DenseIndex

REFERENCE_ROWS = 100_000  # the size issue 11's store targets are set at
DIMENSIONS = 384  # multilingual-e5-small's
SEED = 11


def _p50_ms(call: Callable[[], object], repeats: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        call()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000.0)
    return round(percentile(times, 50), 3)


def reference_index(rows: int = REFERENCE_ROWS, seed: int = SEED) -> DenseIndex:
    """Unit vectors drawn from a seeded normal distribution, quantized as the store does."""
    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((rows, DIMENSIONS), dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return DenseIndex.build(matrix, np.ones(rows, dtype=bool))


def python_work() -> int:
    """A fixed amount of interpreter work: build, read and sort a small table of strings."""
    table = {f"passage-{i}": i for i in range(2_000)}
    total = sum(table[f"passage-{i % 2_000}"] for i in range(10_000))
    return total + len(sorted(table, key=lambda key: key[::-1]))


def measure(index: DenseIndex | None = None, repeats: int = 100) -> dict[str, Any]:
    """The two references now, on ``index`` (one made by :func:`reference_index`; made here
    if not given: a bench run makes it again at its end rather than hold ~190 MB meanwhile).
    Eight seeded query vectors take turns, as distinct queries do."""
    index = index or reference_index()
    queries = reference_index(rows=8, seed=SEED + 1).matrix
    turn = itertools.count()
    int8_ms = _p50_ms(lambda: index.score(queries[next(turn) % len(queries)]), repeats)
    return {
        "int8_pass_ms": int8_ms,
        "int8_rows": index.rows,
        "int8_quantized": index.packed is not None,  # False without SimSIMD: a float32 pass instead
        "python_ms": _p50_ms(python_work, max(10, repeats // 5)),
    }


def lines(speeds: dict[str, dict[str, Any]]) -> str:
    """``start`` and ``end`` references as one line each, for the bench's log and report."""
    return "\n".join(
        f"host speed at the {moment}: int8 pass over {row['int8_rows']:,} rows {row['int8_pass_ms']} ms p50"
        f"{'' if row['int8_quantized'] else ' (float32: SimSIMD absent)'}, python reference {row['python_ms']} ms p50"
        for moment, row in speeds.items()
    )
