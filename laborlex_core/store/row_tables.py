"""Per-snapshot tables that let a query's lists be fused, collapsed and counted on row numbers.

Fusion orders passages by score and breaks ties by passage id; it down-weights some units;
collapsing groups passages into provisions; totals and facets count provisions. Done on
Documents, each of those needed every ranked row read from SQLite and decoded (~800 rows a
hybrid query). These tables answer them for row numbers instead. Each is made once per
snapshot, on first use, from what the snapshot holds or from one covering-index read
(``SELECT rowid FROM passages ORDER BY id`` walks the id index: ~60 ms at 100k passages),
and lives on the snapshot, so a new generation starts afresh.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from laborlex_core.store.per_mask import PerMask
from laborlex_core.store.snapshot import IndexSnapshot


def _align(snapshot: IndexSnapshot, rowids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Snapshot rows of ``rowids`` and which of them the snapshot holds (it may be older than SQLite)."""
    size = snapshot.size
    where = np.searchsorted(snapshot.rowids, rowids)
    held = (where < size) & (snapshot.rowids[np.minimum(where, max(size - 1, 0))] == rowids) if size else where < 0
    return where, held


def id_rank(snapshot: IndexSnapshot, conn: sqlite3.Connection) -> np.ndarray:
    """Each row's position in passage-id order (SQLite's BINARY collation is UTF-8 byte
    order, which is code point order: Python's ``str`` order). A row SQLite no longer holds
    (a snapshot answering while the next is prepared) sorts after all, by row."""
    if snapshot._id_rank is None:
        ordered = conn.execute("SELECT rowid FROM passages ORDER BY id").fetchall()
        rowids = np.fromiter((r[0] for r in ordered), dtype=np.int64, count=len(ordered))
        where, held = _align(snapshot, rowids)
        rank = len(rowids) + np.arange(snapshot.size, dtype=np.int64)
        rank[where[held]] = np.flatnonzero(held)
        snapshot._id_rank = rank
    return snapshot._id_rank


def rows_of_hashes(snapshot: IndexSnapshot, hashes: np.ndarray) -> np.ndarray:
    """The row of each passage-id hash (-1 where the snapshot has none)."""
    if snapshot._hash_order is None:
        snapshot._hash_order = np.argsort(snapshot.hashes, kind="stable")
    order = snapshot._hash_order
    if not snapshot.size:
        return np.full(len(hashes), -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(snapshot.hashes[order], hashes), snapshot.size - 1)
    rows = order[at]
    return np.where(snapshot.hashes[rows] == hashes, rows, -1).astype(np.int64)


@dataclass(slots=True)
class ProvisionTable:
    """Provisions (doc_id, article) as dense numbers 0..count-1."""

    of_row: np.ndarray  # int64 per row: its provision's number
    first_row: np.ndarray  # int64 per provision: its first row
    codes: np.ndarray  # int64 per provision: the snapshot's provision code (sorted)
    uniform: dict[str, bool]  # per column: does every row of a provision hold the same value?
    _column_codes: dict[str, np.ndarray] = field(default_factory=dict)
    _column_runs: dict[tuple[str, ...], tuple[np.ndarray, dict[str, np.ndarray]]] = field(default_factory=dict)
    _passing: PerMask[np.ndarray] = field(default_factory=PerMask)  # per filter mask: the provisions it passes

    def column_codes(self, snapshot: IndexSnapshot, name: str) -> np.ndarray:
        """A column's code per provision (its first row's), made once: counting facets over a
        million rows gathered each code from all over the column (cache misses) on every query."""
        if name not in self._column_codes:
            self._column_codes[name] = snapshot.columns[name].codes[self.first_row]
        return self._column_codes[name]

    def column_runs(self, snapshot: IndexSnapshot, names: tuple[str, ...]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Where each run of provisions holding the same codes of these columns starts, and
        each column's code per run, made once. A document's provisions lie together in
        number order, so runs are few: 12,951 for 827,639 provisions at 1M passages."""
        if names not in self._column_runs:
            changes = np.zeros(self.count, dtype=bool)
            changes[:1] = True
            for name in names:
                codes = self.column_codes(snapshot, name)
                changes[1:] |= codes[1:] != codes[:-1]
            starts = np.flatnonzero(changes)
            self._column_runs[names] = (starts, {name: self.column_codes(snapshot, name)[starts] for name in names})
        return self._column_runs[names]

    def value_counts(self, snapshot: IndexSnapshot, names: Sequence[str], found: np.ndarray) -> dict[str, np.ndarray]:
        """For each column (one whose value is the same on every row of a provision), how
        many provisions marked in ``found`` hold each of its codes: the marks summed per run
        (one sequential pass for all the columns), then the runs' sums per code. Comparing
        the provisions' codes with each value took ~1.8 ms a column at 1M passages (under
        the profiler; 52.8 against 48.7 ms p50 for a whole search path in alternating runs)."""
        starts, run_codes = self.column_runs(snapshot, tuple(names))
        marks = np.ascontiguousarray(found, dtype=bool).view(np.uint8)
        per_run = np.add.reduceat(marks, starts, dtype=np.int32) if len(starts) else np.zeros(0, dtype=np.int32)
        counts: dict[str, np.ndarray] = {}
        for name in names:
            codes = run_codes[name]
            held = codes >= 0
            counts[name] = np.bincount(codes[held], weights=per_run[held], minlength=len(snapshot.columns[name].index)).astype(np.int64)
        return counts

    def passing(self, mask: np.ndarray) -> np.ndarray:
        """Which provisions a filter passes, by their first rows: for a filter on columns
        whose value is the same on every row of a provision (a search page's facet choices),
        a provision passes or fails it whole. Made once per filter mask: the gather over every
        provision it replaces took ~1.8 ms a search at 1M passages under the profiler, though
        alternating runs of the whole search path showed no difference beyond their noise."""
        found = self._passing.get(mask)
        return found if found is not None else self._passing.put(mask, mask[self.first_row])

    @property
    def count(self) -> int:
        return int(len(self.first_row))

    def number(self, code: int) -> int | None:
        at = int(np.searchsorted(self.codes, code))
        return at if at < len(self.codes) and self.codes[at] == code else None


def provision_table(snapshot: IndexSnapshot) -> ProvisionTable:
    if snapshot._provisions is None:
        codes, first, of_row = np.unique(snapshot.provision, return_index=True, return_inverse=True)
        uniform = {
            name: bool(np.array_equal(column.codes, column.codes[first][of_row])) for name, column in snapshot.columns.items()
        }
        snapshot._provisions = ProvisionTable(of_row.astype(np.int64), first.astype(np.int64), codes, uniform)
    return snapshot._provisions
