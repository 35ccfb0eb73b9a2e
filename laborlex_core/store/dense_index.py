"""Exact nearest neighbours with one pass over an int8 copy of the vectors per query.

Scoring 100k float32 vectors (154 MB) is bound by memory bandwidth. An int8 copy (one scale
per row) is a quarter of that, and with the query rounded to int8 too the pass is integer dot
products, which SimSIMD runs with the CPU's int8 dot-product instructions (AVX-512 VNNI, AVX2,
NEON...; picked at run time). Its scores are approximate, with an error this module bounds for
every row; candidates whose approximate score could still reach the k-th best are re-scored in
float32, so the top-k is the exact one (tests compare it with a plain float32 product).

From ``ProbeDepth.from_rows`` rows on (500k) one pass over every row is too slow, and the
index is partitioned (dense_partitions.py): each list ranks the rows of the partitions
nearest the query (:meth:`DenseIndex.cover`), with the same bound and re-scoring, so its
top-k is the exact one among the rows of the partitions it chose. Below that, the int8 copy is
held grouped by document (dense_segments.py) and each list scores the documents its filter
allows, if no list of the query has yet: the top-k stays the exact one.

What is quantized is each row minus the mean row c: e5 vectors share a large common
direction (cosines of unrelated passages are ~0.75), so the residuals are about half as
long, and so are every error below. The score is q.c (float32) plus the scaled int8 product.

Error bound of the approximate score y = q.c + s_q.s_r.(q8 . r8) of a row x (r = x - c, r^ =
r8.s_r its int8 copy, q^ = q8.s_q the query's): q.x - q.c - q^.r^ = q.(r - r^) + (q - q^).r^, so
|q.x - y| <= |q|.|r - r^| + |q - q^|.|r^| + rounding of the float32 arithmetic,
by Cauchy-Schwarz. The integer product is exact (|q8 . r8| <= 384 x 127 x 127 < 2^24, so even
its float32 copy is), which leaves two float32 products and a sum: a relative 2^-22 of the
scores covers them. The per-row terms are precomputed and their maximum taken.

Without SimSIMD (or with ``quantized=False``) the float32 product is used directly.

Re-scoring gathers a few hundred rows from all over the float32 matrix per list. A snapshot
saved beside the index maps that matrix, and on this kind of virtual machine the first touch of
each mapped 4 KiB page costs tens of microseconds (so does each TLB miss over small pages): the
gather ran at ~500 rows/ms mapped against ~4,000 in process memory, 6.5 ms of a 30 ms search at
100k passages. :func:`read_resident` therefore reads a matrix up to a configured size into
memory, in the background, while the mapped copy answers.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from laborlex_core.settings import Settings
from laborlex_core.store.dense_partitions import Partitions, ProbeDepth
from laborlex_core.store.dense_segments import Segments
from laborlex_core.store.per_mask import PerMask

# The float32 arithmetic after the exact integer product (two products and a sum), relative to
# the scores: 3 roundings of 2^-24 each, with room to spare.
_FLOAT_RELATIVE = 2.0**-22
# Threads of one pass over every row (an index below ``ProbeDepth.from_rows``), at most as many as
# there are cores: the default of LABORLEX_DENSE_THREADS.
FULL_PASS_THREADS: int = Settings.model_fields["dense_threads"].default
# A slice of the int8 copy shorter than this is scored on one thread (a second one's start-up
# is not worth it).
THREADED_SLICE_ROWS = 8192
# A list of a segmented index that needs at least this share of the rows, none scored yet,
# scores every row from the copy kept in row order: its scores need no scatter back to row
# order (~0.3 ms at 100k rows), which costs more than the kernel saves on the last tenth.
FULL_PASS_SHARE = 0.9
_CORES = os.cpu_count() or 1  # read once: os.cpu_count() took ~60 µs a call


@cache
def single_threaded_blas() -> None:
    """Run numpy's matrix-vector products (exact re-scoring, the float32 pass) on one thread,
    once per process.

    A product of one query with a few thousand rows takes ~0.2 ms on one thread; OpenBLAS's
    default two threads took 20 ms for the same product on a loaded 2-core machine (the
    threads wait for each other), and an API serving several requests gains nothing from a
    second thread inside each. A matrix-vector product splits rows among threads, so the
    scores are the same bits either way. Only numpy's own OpenBLAS is limited."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - installed with scikit-learn
        return
    for library in ThreadpoolController().select(user_api="blas").lib_controllers:
        if "numpy" in library.filepath:
            library.set_num_threads(1)


@cache
def _simsimd() -> Any:
    """SimSIMD's module, or None: the store then searches exactly in float32 without it."""
    try:
        import simsimd

        return simsimd
    except ImportError:  # pragma: no cover - a pinned dependency
        return None


def int8_products(query: np.ndarray, codes: np.ndarray, threads: int = 1) -> np.ndarray:
    """``codes @ query`` for int8 rows and an int8 query, exactly, as float32 (as float64 where
    the dimension lets a product pass 2^24, which float32 would round)."""
    exact_in_float32 = codes.shape[1] * 127 * 127 < 2**24
    out = np.empty((1, codes.shape[0]), dtype=np.float32 if exact_in_float32 else np.float64)
    if codes.shape[0]:
        _simsimd().cdist(query[None, :], codes, metric="dot", dtype="int8", out=out, threads=threads)
    return out[0]


@dataclass(slots=True)
class DenseScores:
    """One query's scores over every row: approximate (with a bound) or exact.

    On a partitioned index (dense_partitions.py) rows are scored as lists need them,
    nearest partitions first: ``probe.scored`` marks them, and the others hold -inf. On a
    segmented one (dense_segments.py) too, a document group at a time, as the lists' filters
    need them."""

    approx: np.ndarray  # float32, one per row; -inf where a row has no vector (or is not scored yet)
    bound: float  # |exact - approx| <= bound for every scored row (0 when exact)
    query: np.ndarray  # float32, for re-scoring
    # the rows of about the best ``ranking.DENSE_PREFIX`` approximate scores (ascending) and a score
    # every other row is below (lazy; see ranking._prefix)
    _prefix: tuple[np.ndarray, float] | None = field(default=None)
    exact: np.ndarray | None = field(default=None)  # float32 scores of every row, once needed
    probe: _Probe | None = field(default=None)  # a partitioned or segmented index's state; None: every row is scored
    # float32 scores of the rows re-scored so far (NaN: not yet), shared by the query's lists: they
    # re-score overlapping candidates (~40% of the rows at 100k), and a row keeps one score in all
    known: np.ndarray | None = field(default=None)
    lock: threading.Lock = field(default_factory=threading.Lock)  # guards ``known``


@dataclass(frozen=True, slots=True)
class _QueryCodes:
    """A query rounded to int8 for the first pass, and what the error bound needs of it."""

    codes: np.ndarray  # int8 (dim,)
    scale: float  # the query is about codes x scale
    offset: float  # q . center
    fixed_bound: float  # the bound's terms that do not depend on the scored rows


@dataclass(slots=True)
class _Probe:
    """A query's state on a partitioned (or segmented) index: its int8 copy and which of the
    partitions (document groups) it has scored."""

    query: _QueryCodes
    ranked: np.ndarray | None  # partitions, nearest first (None: a segmented index)
    done: np.ndarray  # bool per partition or group: its rows are scored
    scored: np.ndarray  # bool per row: its score is in ``approx`` (partitioned; a segmented index reads ``done``)
    peak: float = 0.0  # largest |approximate score| over the scored rows
    threads: int = 1  # of the kernel on a long slice
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(slots=True)
class DenseIndex:
    """Row-aligned float32 vectors (zero rows where a passage has none) and their int8 copy."""

    matrix: np.ndarray  # float32 (n, dim)
    present: np.ndarray  # bool (n,): the row has a vector
    # int8 (n, dim): rows minus ``center``, quantized; grouped by partition (in ``partitions.order``)
    # where the index is partitioned, else by document (``segments.order``) where it is segmented,
    # so a partition or a document group is a slice of it
    packed: np.ndarray | None = None
    scales: np.ndarray | None = None  # float32 (n,), in the order of ``packed``
    center: np.ndarray | None = None  # float32 (dim,): the mean row
    max_error: float = 0.0  # max_r |r_r - r^_r|
    max_norm: float = 0.0  # max_r |r^_r|
    partitions: Partitions | None = None  # rows grouped around centroids (large indexes only)
    segments: Segments | None = None  # rows grouped by document (an int8 copy not partitioned)
    depth: ProbeDepth = field(default_factory=ProbeDepth)
    # per filter mask, how many of its rows each partition or document group holds: the count does
    # not depend on the query, and counting a million rows' partitions took 2-5 ms a dense list at 1M
    _held: PerMask[np.ndarray] = field(default_factory=PerMask, compare=False, repr=False)
    # per filter mask, the rows it allows that have a vector (a pass over every row, per list)
    _allowed: PerMask[np.ndarray] = field(default_factory=PerMask, compare=False, repr=False)
    _absent: np.ndarray | None = field(default=None, compare=False, repr=False)  # rows without a vector (a segmented index)
    # a segmented index's int8 copy and scales in row order too (a second copy: 38 MB at 100k rows)
    _in_rows: tuple[np.ndarray, np.ndarray] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def build(cls, matrix: np.ndarray, present: np.ndarray, quantized: bool = True, depth: ProbeDepth | None = None) -> DenseIndex:
        index = cls(matrix, present, depth=depth or ProbeDepth())
        if not quantized or _simsimd() is None or matrix.shape[0] == 0:
            return index
        center = matrix[present].mean(axis=0).astype(np.float32) if present.any() else np.zeros(matrix.shape[1], np.float32)
        index.packed, index.scales, index.max_error, index.max_norm = _quantize(matrix, present, center)
        index.center = center
        index.partition_if_large()
        return index

    def with_codes(self, codes: np.ndarray, scales: np.ndarray, center: np.ndarray, max_error: float, max_norm: float) -> bool:
        """Take a saved int8 copy (row order) and its bound's terms; False where no int8 kernel
        is installed (the index then searches in float32)."""
        if _simsimd() is None:
            return False
        self.packed, self.scales = np.ascontiguousarray(codes, dtype=np.int8), np.asarray(scales, dtype=np.float32)
        self.center, self.max_error, self.max_norm = center, max_error, max_norm
        return True

    def partition_if_large(self, saved: Partitions | None = None) -> None:
        """Group the rows into partitions (or take ``saved`` ones) when the index has at least
        ``depth.from_rows`` rows and an int8 copy; smaller indexes are searched exactly."""
        if self.partitions is not None:
            raise RuntimeError("the index is partitioned already")
        if self.packed is None or self.rows < self.depth.from_rows or not self.present.any():
            return
        partitions = saved if saved is not None and len(saved.of_row) == self.rows else Partitions.build(self.matrix, self.present)
        self._arrange(partitions)

    def allowed(self, mask: np.ndarray | None) -> np.ndarray:
        """The rows a list under the filter ``mask`` (None: none) may rank: those it selects
        that have a vector. Once per filter mask: the lists of a search share a few filters."""
        if mask is None:
            return self.present
        found = self._allowed.get(mask)
        if found is None:
            found = mask & self.present
            found.flags.writeable = False  # shared by the lists under the filter
            self._allowed.put(mask, found)
        return found

    @property
    def groupable(self) -> bool:
        """An int8 copy neither partitioned nor grouped yet: :meth:`segment` would group it."""
        return self.packed is not None and self.partitions is None and self.segments is None

    def segment(self, keys: np.ndarray) -> None:
        """Hold the int8 copy grouped by ``keys`` (one per row: the document, sorted by
        jurisdiction, language and kind; ``dense_segments.document_keys``) where it is not
        partitioned, so that a filtered list scores its documents' slices only."""
        if not self.groupable or len(keys) != self.rows:
            return
        segments = Segments.of_keys(keys)
        self._in_rows = (self.packed, self.scales)  # kept for lists that need every row
        self.packed, self.scales = self._arranged(segments.order)
        self.segments = segments
        self._absent = np.flatnonzero(~self.present)
        self._held = PerMask()

    def _arrange(self, partitions: Partitions) -> None:
        """Hold the int8 copy (in row order now) grouped by partition."""
        self.packed, self.scales = self._arranged(partitions.order)
        self.partitions = partitions
        self._held = PerMask()

    def _arranged(self, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        assert self.packed is not None and self.scales is not None
        return self.packed[order], self.scales[order]

    def row_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """The int8 copy and its scales in row order (as saved, and as an update extends them)."""
        assert self.packed is not None and self.scales is not None
        if self._in_rows is not None:
            return self._in_rows
        layout = self.partitions or self.segments
        if layout is None:
            return self.packed, self.scales
        return self.packed[layout.position], self.scales[layout.position]

    def extended(self, keep: np.ndarray, matrix: np.ndarray, present: np.ndarray) -> DenseIndex:
        """This index without the rows not in ``keep`` (row numbers, ascending) and with
        ``matrix`` appended: an incremental update. The new rows are quantized around the
        same center; the error bounds are maxima over rows, so they stay valid (the old
        maxima may only be looser than a rebuild's)."""
        kept = np.asarray(self.matrix[keep], dtype=np.float32)  # reads a mapped matrix into memory
        index = DenseIndex(np.concatenate([kept, matrix.astype(np.float32)]), np.concatenate([self.present[keep], present]), depth=self.depth)
        if self.packed is None or self.center is None:
            return index
        codes, scales, max_error, max_norm = _quantize(matrix, present, self.center)
        packed, kept_scales = self.row_codes()
        index.packed = np.concatenate([packed[keep], codes])
        index.scales = np.concatenate([kept_scales[keep], scales])
        index.center = self.center
        index.max_error, index.max_norm = max(self.max_error, max_error), max(self.max_norm, max_norm)
        if self.partitions is not None:
            index._arrange(self.partitions.extended(keep, matrix))
        return index

    @property
    def rows(self) -> int:
        return int(self.matrix.shape[0])

    def score(self, query: np.ndarray, threads: int = FULL_PASS_THREADS) -> DenseScores:
        """Scores of every row for a query vector (one pass over the matrix, on ``threads``
        threads); on a partitioned index, none yet: each list scores what it needs
        (:meth:`cover`, on one thread: its ~1,000-row slices gain nothing from a second); on a
        segmented one, none yet either (:meth:`score_segments`, on ``threads`` threads where a
        slice is long)."""
        query = np.asarray(query, dtype=np.float32)
        if self.packed is None:
            scores = self.matrix @ query
            scores[~self.present] = -np.inf
            return DenseScores(scores, 0.0, query)
        codes = self._query_codes(query)
        layout = self.partitions or self.segments
        if layout is not None:  # each list scores what it needs (cover, score_segments)
            ranked = self.partitions.ranked(query) if self.partitions is not None else None
            scored = np.zeros(self.rows if self.partitions is not None else 0, dtype=bool)  # a segmented index reads ``done``
            probe = _Probe(codes, ranked, np.zeros(layout.count, dtype=bool), scored, threads=threads)
            approx = np.full(self.rows, -np.inf, dtype=np.float32)
            return DenseScores(approx, _bound(codes.fixed_bound, 0.0), query, probe=probe)
        products = int8_products(codes.codes, self.packed, max(1, min(threads, _CORES)))
        approx, peak = self._approximate(codes, products, self.scales)
        approx[~self.present] = -np.inf
        return DenseScores(approx, _bound(codes.fixed_bound, peak), query)

    def _query_codes(self, query: np.ndarray) -> _QueryCodes:
        """The query in int8 with one scale, q . center, and the error bound's terms that do
        not depend on the rows scored (see the module's docstring)."""
        largest = float(np.abs(query).max()) if query.size else 0.0
        scale = np.float32(largest / 127.0 if largest > 0 else 1.0)
        codes = np.clip(np.rint(query / scale), -127, 127).astype(np.int8)
        rounding = float(np.linalg.norm(query.astype(np.float64) - codes.astype(np.float64) * float(scale)))
        offset = float(query @ self.center) if self.center is not None else 0.0
        fixed = float(np.linalg.norm(query)) * self.max_error + rounding * self.max_norm
        return _QueryCodes(codes, float(scale), offset, fixed)

    @staticmethod
    def _approximate(codes: _QueryCodes, products: np.ndarray, scales: np.ndarray) -> tuple[np.ndarray, float]:
        """Approximate scores (float32) from the integer products of rows with these ``scales``,
        and the largest of them in absolute value (for the bound's float32 term)."""
        approx = products.astype(np.float32, copy=False)
        approx *= scales
        approx *= np.float32(codes.scale)
        approx += np.float32(codes.offset)
        peak = max(float(approx.max()), -float(approx.min())) if len(approx) else 0.0
        return approx, peak

    def cover(self, scores: DenseScores, allowed: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """The rows a list ranks, scored: the rows ``allowed`` (a list's filter, ``mask``, and
        the rows with a vector) of the nearest partitions that together hold
        ``depth.rows_for`` of them, skipping those that hold none; a narrow filter's rows
        wherever they lie. Ascending only within a partition.

        Partitions another list of the query scored already are not scored again (the caller
        holds ``scores.probe.lock``), but a list ranks only the partitions it chose itself: the
        same query and filter give the same list whichever lists ran before it, on this request
        or on another that shares the query's cached scores (paging runs the query again)."""
        probe, partitions = scores.probe, self.partitions
        if probe is None or partitions is None:
            return np.flatnonzero(allowed)
        per_partition = self._held.get(mask)
        if per_partition is None:
            per_partition = self._held.put(mask, np.bincount(partitions.of_row[allowed], minlength=partitions.count))
        allowed_count = int(per_partition.sum())
        want = self.depth.rows_for(allowed_count)
        if want == allowed_count:  # every row it allows
            rows = np.flatnonzero(allowed)
            self._score_rows(scores, rows[~probe.scored[rows]])
            return rows
        held = per_partition[probe.ranked]  # nearest first
        nearest = probe.ranked[: int(np.searchsorted(np.cumsum(held), want)) + 1]
        mine = nearest[held[: len(nearest)] > 0]
        chosen = mine[~probe.done[mine]]
        probe.done[chosen] = True
        self._score_partitions(scores, chosen)
        rows = np.concatenate([partitions.order[partitions.offsets[p] : partitions.offsets[p + 1]] for p in mine])
        return rows[allowed[rows]]

    def score_segments(self, scores: DenseScores, allowed: np.ndarray, mask: np.ndarray | None = None) -> None:
        """Score the document groups holding ``allowed`` rows (a list's filter, ``mask``, and
        the rows with a vector) that no list of the query has scored yet, a contiguous slice
        of the int8 copy at a time (the caller holds ``scores.probe.lock``)."""
        probe, segments = scores.probe, self.segments
        if probe is None or segments is None or self.packed is None or self.scales is None:
            return
        if probe.done.all():  # an earlier list of the query scored every group
            return
        per_group = self._held.get(mask)
        if per_group is None:
            per_group = self._held.put(mask, np.bincount(segments.of_row[allowed], minlength=segments.count))
        wanted = (per_group > 0) & ~probe.done
        if not wanted.any():
            return
        if self._in_rows is not None and not probe.done.any() and int(segments.sizes[wanted].sum()) >= FULL_PASS_SHARE * self.rows:
            codes, scales = self._in_rows  # (nearly) every row: one pass in row order, nothing to scatter
            products = int8_products(probe.query.codes, codes, max(1, min(probe.threads, _CORES)))
            self._record(scores, slice(None), products, scales)
            probe.done[:] = True
            return
        for start, end in segments.spans(wanted):
            threads = max(1, min(probe.threads, _CORES)) if end - start >= THREADED_SLICE_ROWS else 1
            products = int8_products(probe.query.codes, self.packed[start:end], threads)
            self._record(scores, segments.order[start:end], products, self.scales[start:end])
        probe.done |= wanted

    def _score_partitions(self, scores: DenseScores, batch: np.ndarray) -> None:
        """The int8 scores of every row of some partitions: one kernel call on each one's slice."""
        probe, partitions = scores.probe, self.partitions
        if probe is None or partitions is None or self.packed is None:
            return
        spans = [(int(partitions.offsets[p]), int(partitions.offsets[p + 1])) for p in batch]
        spans = [(start, end) for start, end in spans if end > start]
        if not spans:
            return
        products = np.concatenate([int8_products(probe.query.codes, self.packed[start:end]) for start, end in spans])
        rows = np.concatenate([partitions.order[start:end] for start, end in spans])
        scales = np.concatenate([self.scales[start:end] for start, end in spans])  # type: ignore[index]
        self._record(scores, rows, products, scales)

    def _score_rows(self, scores: DenseScores, rows: np.ndarray) -> None:
        """The int8 scores of some rows, their codes gathered (a narrow filter's rows)."""
        probe, partitions = scores.probe, self.partitions
        if probe is None or partitions is None or self.packed is None or len(rows) == 0:
            return
        at = partitions.position[rows]
        self._record(scores, rows, int8_products(probe.query.codes, self.packed[at]), self.scales[at])  # type: ignore[index]

    def _record(self, scores: DenseScores, rows: np.ndarray | slice, products: np.ndarray, scales: np.ndarray) -> None:
        """Scores of ``rows`` from their integer products, with the bound widened to them first.
        A segmented index knows its scored rows by group (``probe.done``) and marks its few
        rows without a vector once: a slice of 100k rows saves two passes of ~0.15 ms each."""
        probe = scores.probe
        assert probe is not None
        values, peak = self._approximate(probe.query, products, scales)
        probe.peak = max(probe.peak, peak)
        scores.bound = _bound(probe.query.fixed_bound, probe.peak)  # before the rows show as scored
        if self.segments is not None:
            scores.approx[rows] = values
            scores.approx[self._absent] = -np.inf
        else:
            values[~self.present[rows]] = -np.inf
            scores.approx[rows] = values
            probe.scored[rows] = True
        scores._prefix = None

    def exact(self, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
        """Float32 scores of some rows, computed as a plain product would."""
        return self.matrix[rows] @ query

    def read_resident(self, path: Path, limit_bytes: int) -> threading.Thread | None:
        """Replace a mapped ``matrix`` saved at ``path`` by a copy in process memory, read in a
        background thread (the mapped one answers meanwhile; the values are the same bits).
        Matrices over ``limit_bytes`` stay mapped: at 1M passages the copy would be 1.5 GB.
        Returns the thread (tests wait on it), or None where nothing is read."""
        if not isinstance(self.matrix, np.memmap) or self.matrix.nbytes > limit_bytes or self.rows == 0:
            return None
        mapped = self.matrix

        def read() -> None:
            resident = _read_npy(path, mapped)
            if resident is not None:
                self.matrix = resident  # one reference swap: a query reads either whole matrix

        thread = threading.Thread(target=read, name="laborlex-vectors", daemon=True)
        thread.start()
        return thread


def _bound(fixed: float, peak: float) -> float:
    """|exact - approx| for every row scored: the row-independent terms plus the float32
    arithmetic's rounding (relative to the largest approximate score), with a margin."""
    return (fixed + _FLOAT_RELATIVE * peak) * 1.001 + 1e-6


def _read_npy(path: Path, mapped: np.memmap) -> np.ndarray | None:
    """The data of ``mapped`` (``path`` mapped by ``np.load``) read into a fresh array with one
    read() (no page of the file is mapped, so none stays in the process's resident set beside
    the copy); None when the file is shorter than the mapping says (the mapped copy keeps
    answering).

    The layout comes from the mapping rather than from the file's header parsed again: numpy
    parses headers with ``ast.literal_eval``, and on Python 3.11 two threads building ASTs at
    once can fail with "AST constructor recursion depth mismatch" (CPython gh-106905), as a
    snapshot loaded while this runs in the background did in a test run."""
    fortran = bool(mapped.flags.f_contiguous and not mapped.flags.c_contiguous)
    array = np.empty(mapped.shape, dtype=mapped.dtype, order="F" if fortran else "C")
    with open(path, "rb") as handle:
        handle.seek(mapped.offset)
        read = handle.readinto(memoryview(array.reshape(-1, order="A")).cast("B"))
    return array if read == array.nbytes else None


def _quantize(matrix: np.ndarray, present: np.ndarray, center: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """int8 codes of ``matrix - center`` per row with a float32 scale; the largest row error
    and the largest rebuilt row norm (for the bound)."""
    codes = np.zeros(matrix.shape, dtype=np.int8)
    scales = np.ones(matrix.shape[0], dtype=np.float32)
    max_error = max_norm = 0.0
    for start in range(0, matrix.shape[0], 65_536):  # in blocks: a float32 copy of 1M rows is 1.5 GB
        block = np.asarray(matrix[start : start + 65_536], dtype=np.float32) - center
        block[~present[start : start + 65_536]] = 0.0
        absmax = np.abs(block).max(axis=1)
        scale = np.where(absmax > 0, absmax / 127.0, 1.0).astype(np.float32)
        block_codes = np.clip(np.rint(block / scale[:, None]), -127, 127).astype(np.int8)
        rebuilt = block_codes.astype(np.float32) * scale[:, None]
        if len(block):
            max_error = max(max_error, float(np.sqrt(((block - rebuilt) ** 2).sum(axis=1)).max()))
            max_norm = max(max_norm, float(np.sqrt((rebuilt**2).sum(axis=1)).max()))
        codes[start : start + 65_536], scales[start : start + 65_536] = block_codes, scale
    return codes, scales, max_error, max_norm
