"""Everything a query reads from memory, for one generation of the SQLite index.

A snapshot holds, for the passages at one store generation (rows in rowid order): the
filterable columns as categorical codes, the vectors (float32 and an int8 copy), and the
BM25 postings. It is derived from SQLite (the source of truth) and tagged with the
generation and the index's id, so a query never reads one generation's scores against
another's rows: when a write commits, the next query builds (or loads) the snapshot of the
new generation first.

Built snapshots are saved next to the index (``index.sqlite3.derived/g<gen>-<id>/``) so a
new process opens a large index by mapping files instead of re-reading and re-analyzing
every passage. Per-query caches live on the snapshot, so a new generation starts empty.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from laborlex_core.store.dense_index import FULL_PASS_THREADS, DenseIndex, DenseScores
from laborlex_core.store.dense_partitions import Partitions, ProbeDepth
from laborlex_core.store.dense_segments import document_keys
from laborlex_core.store.filter_masks import (
    TEXT_FIELDS,
    CategoricalColumn,
    MaskColumns,
    TextColumn,
    TextListColumn,
    filter_mask,
)
from laborlex_core.store.filters import COLUMNS as SQL_COLUMNS
from laborlex_core.store.lexical_index import LexicalIndex, PostingsBuilder

COLUMNS: tuple[str, ...] = ("doc_id", "language", "jurisdiction", "kind", "article")
SEGMENT_ORDER: tuple[str, ...] = ("jurisdiction", "language", "kind", "doc_id")  # of the int8 copy's rows
SCORE_CACHE_SIZE = 32  # queries whose scores are kept (each one array over all passages)
MASK_CACHE_SIZE = 256
ROW_CACHE_SIZE = 50_000  # decoded passages (id, text, meta) kept for result lists
BUILD_CHUNK = 20_000  # passages read and reduced at a time while a snapshot is built
FORMAT = 5  # of the saved folder (4: the history fields for masks; 5: the units column always)
# An incremental update applies at most this share of changed rows (above it, a rebuild
# reads every row anyway); a small index is rebuilt whenever that is as cheap.
UPDATE_MAX_SHARE = 0.25
UPDATE_MIN_ROWS = 2_000

T = TypeVar("T")


class _LRU:
    """A small thread-safe least-recently-used map; values are computed outside the lock."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def peek(self, key: Hashable) -> Any | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)


@dataclass(slots=True)
class LexicalScores:
    scores: np.ndarray  # float64 per row
    matched: np.ndarray  # rows with a positive score, ascending


@dataclass(slots=True)
class IndexSnapshot:
    generation: int
    index_id: str
    rowids: np.ndarray  # int64, ascending
    columns: dict[str, CategoricalColumn]
    dense: DenseIndex
    lexical: LexicalIndex
    hashes: np.ndarray  # int64 per row: a stable hash of the passage id (a row's identity across generations)
    provision: np.ndarray = field(init=False)  # int64 code of (doc_id, article) per row
    _masks: _LRU = field(init=False)
    _mask_contents: weakref.WeakValueDictionary[bytes, np.ndarray] = field(init=False)  # digest of its rows -> the mask held
    _lexical_scores: _LRU = field(init=False)
    _dense_scores: _LRU = field(init=False)
    rows: _LRU = field(init=False)  # rowid -> (id, content, meta)
    documents: list[dict[str, Any]] | None = None  # list_documents() at this generation
    # History fields for filter masks (filter_masks.TEXT_FIELDS, amendment dates); a missing
    # or None one is answered by SQL.
    text: dict[str, TextColumn | None] = field(default_factory=dict)
    dates: TextListColumn | None = None
    # The passage's unit ("article", "preamble"...) per row, for the fusion's prior on
    # non-operative units (a folder saved without it, format 4, is rebuilt).
    units: CategoricalColumn = field(kw_only=True)
    # Per-snapshot tables made on first use (see row_tables.py): the rank of each row's passage
    # id in id order (fusion breaks ties by id), the rows by id hash, the provisions as dense ids.
    _id_rank: np.ndarray | None = None
    _hash_order: np.ndarray | None = None
    _provisions: Any = None

    def __post_init__(self) -> None:
        doc, article = self.columns["doc_id"], self.columns["article"]
        width = max(len(article.index), 1) + 1
        self.provision = (doc.codes.astype(np.int64) + 1) * width + (article.codes.astype(np.int64) + 1)
        self._masks = _LRU(MASK_CACHE_SIZE)
        self._mask_contents = weakref.WeakValueDictionary()
        self._lexical_scores = _LRU(SCORE_CACHE_SIZE)
        self._dense_scores = _LRU(SCORE_CACHE_SIZE)
        self.rows = _LRU(ROW_CACHE_SIZE)
        # the int8 copy grouped by document, the documents by jurisdiction, language and kind:
        # the filters users set (and the branches' lists) then select a few slices of it
        if self.dense.groupable:  # not at 1M rows (partitioned): no keys computed there
            self.dense.segment(document_keys([self.columns[name].codes for name in SEGMENT_ORDER]))

    @property
    def size(self) -> int:
        return int(len(self.rowids))

    # ---- per-query work, done once ---------------------------------------------------

    def mask(self, filters: dict[str, Any] | None, sql_rowids: Callable[[dict[str, Any]], np.ndarray]) -> np.ndarray | None:
        """Rows a filter selects (None: all), from the columns or, failing that, from SQL."""
        if not filters:
            return None
        key = json.dumps(filters, sort_keys=True, default=str)

        def compute() -> np.ndarray:
            mask = filter_mask(filters, MaskColumns(self.columns, self.text, self.dates))
            if mask is None:
                wanted = sql_rowids(filters)
                mask = np.zeros(self.size, dtype=bool)
                where = np.searchsorted(self.rowids, wanted)
                ok = (where < self.size) & (self.rowids[np.minimum(where, self.size - 1)] == wanted) if self.size else where < 0
                mask[where[ok]] = True
            return self._shared(mask)

        return self._masks.get(key, compute)

    def _shared(self, mask: np.ndarray) -> np.ndarray:
        """The mask already held for the same rows, else ``mask``: two filters that select the
        same rows (a user's filter on the US, within the branch for the US; English, within the
        English branch) then share one array, so what is remembered per mask (``PerMask``)
        serves both, and a batch of lists computes a repeated list once (``ranked_lists``).
        A cache miss pays for it: a digest of the packed rows."""
        digest = hashlib.blake2b(np.packbits(mask).tobytes(), digest_size=16).digest()
        held = self._mask_contents.get(digest)
        if held is not None and held.shape == mask.shape and np.array_equal(held, mask):
            return held
        self._mask_contents[digest] = mask
        return mask

    def lexical_scores(self, terms: tuple[str, ...]) -> LexicalScores:
        def compute() -> LexicalScores:
            scores = self.lexical.score(terms)
            return LexicalScores(scores, np.flatnonzero(scores > 0))

        return self._lexical_scores.get(terms, compute)

    def dense_scores(self, vector: np.ndarray, threads: int = FULL_PASS_THREADS) -> DenseScores:
        return self._dense_scores.get(vector.tobytes(), lambda: self.dense.score(vector, threads))

    def forget_query_scores(self) -> None:
        """Drop the per-query score caches (benchmarks time a query's first list cold)."""
        self._lexical_scores = _LRU(SCORE_CACHE_SIZE)
        self._dense_scores = _LRU(SCORE_CACHE_SIZE)

    def provision_code(self, doc_id: str, article: str) -> int | None:
        doc, art = self.columns["doc_id"].index.get(doc_id), self.columns["article"].index.get(article)
        if doc is None or art is None:
            return None
        width = max(len(self.columns["article"].index), 1) + 1
        return (doc + 1) * width + (art + 1)

    def value_of(self, column: str, row: int) -> str | None:
        code = int(self.columns[column].codes[row])
        if code < 0:
            return None
        return self.columns[column].values()[code]

    # ---- building and saving ----------------------------------------------------------

    @classmethod
    def build(
        cls,
        conn: sqlite3.Connection,
        dim: int,
        context_weight: float,
        body_weight: float,
        k1: float,
        b: float,
        quantized: bool,
        depth: ProbeDepth | None = None,
    ) -> IndexSnapshot:
        """Read every passage once, inside one read transaction (generation and rows agree).

        Rows are read BUILD_CHUNK at a time and reduced as they come (vectors into the
        matrix, analyzed text into summed postings), so the texts and vector blobs of the
        whole index never sit in memory together: at 1M passages they were ~9 GB."""
        conn.execute("BEGIN")
        try:
            state = dict(conn.execute("SELECT key, value FROM store_state").fetchall())
            generation, index_id = int(state["generation"]), str(state.get("index_id", ""))
            count = int(conn.execute("SELECT count(*) FROM passages").fetchone()[0])
            rowids = np.zeros(count, dtype=np.int64)
            matrix = np.zeros((count, dim), dtype=np.float32)
            present = np.zeros(count, dtype=bool)
            hashes = np.zeros(count, dtype=np.int64)
            postings = PostingsBuilder(context_weight, body_weight)
            kept: list[list[Any]] = [[] for _ in range(len(COLUMNS) + len(TEXT_FIELDS) + 1)]  # short values only
            units: list[Any] = []
            cursor = conn.execute(_ROWS_SQL + " ORDER BY p.rowid")
            start = 0
            while chunk := cursor.fetchmany(BUILD_CHUNK):
                end = start + len(chunk)
                rowids[start:end], matrix[start:end], present[start:end] = _rows_and_vectors(chunk, dim)
                hashes[start:end] = passage_hashes([r[4] for r in chunk])
                postings.add([r[2] for r in chunk], [r[3] for r in chunk])
                for i, values in enumerate(kept):
                    values.extend(r[5 + i] for r in chunk)
                units.extend(r[_UNIT_AT] for r in chunk)
                start = end
        finally:
            conn.execute("COMMIT")
        if start != count:  # the read transaction makes this impossible; never index misaligned rows
            raise RuntimeError(f"snapshot read {start} passages of {count}")
        columns = {name: CategoricalColumn.build(kept[i]) for i, name in enumerate(COLUMNS)}
        text, dates = _history_columns(kept[len(COLUMNS) :])
        del kept
        lexical = postings.index(k1, b)
        dense = DenseIndex.build(matrix, present, quantized, depth)
        return cls(
            generation, index_id, rowids, columns, dense, lexical, hashes, text=text, dates=dates, units=CategoricalColumn.build(units)
        )

    def updated(self, conn: sqlite3.Connection, dim: int, context_weight: float, body_weight: float) -> IndexSnapshot | None:
        """The snapshot of the index's current generation derived from this one by applying
        only the rows that changed (None where a rebuild is the better way: another index,
        too many changes, or new rows that would not sort after the kept ones).

        A row is kept when its rowid still holds the same passage id (SQLite may reuse the
        rowids of deleted tail rows, so the rowid alone is not an identity). New rows are
        read in the same read transaction as the generation, so they agree."""
        conn.execute("BEGIN")
        try:
            state = dict(conn.execute("SELECT key, value FROM store_state").fetchall())
            generation, index_id = int(state["generation"]), str(state.get("index_id", ""))
            if index_id != self.index_id or self.size == 0:
                return None
            if generation == self.generation:
                return self
            current = conn.execute("SELECT rowid, id FROM passages ORDER BY rowid").fetchall()
            rowids = np.fromiter((r[0] for r in current), dtype=np.int64, count=len(current))
            hashes = passage_hashes([r[1] for r in current])
            where = np.minimum(np.searchsorted(self.rowids, rowids), self.size - 1)
            same = (self.rowids[where] == rowids) & (self.hashes[where] == hashes)
            keep = where[same]
            added = rowids[~same]
            changed = len(added) + self.size - len(keep)
            if changed > max(UPDATE_MIN_ROWS, UPDATE_MAX_SHARE * self.size):
                return None
            if len(added) and len(keep) and added.min() <= self.rowids[keep[-1]]:
                return None  # rows would fall out of rowid order
            rows = (
                conn.execute(_ROWS_SQL + " WHERE p.rowid >= ? ORDER BY p.rowid", (int(added.min()),)).fetchall()
                if len(added) else []
            )
        finally:
            conn.execute("COMMIT")
        new_rowids, matrix, present = _rows_and_vectors(rows, dim)
        columns = {}
        for i, name in enumerate(COLUMNS):
            old = self.columns[name]
            index = dict(old.index)  # the old snapshot may still be answering queries
            codes = np.fromiter(
                (-1 if r[5 + i] is None else index.setdefault(str(r[5 + i]), len(index)) for r in rows), dtype=np.int32, count=len(rows)
            )
            columns[name] = CategoricalColumn(np.concatenate([old.codes[keep], codes]), index)
        lexical = self.lexical.extended(keep, [r[2] for r in rows], [r[3] for r in rows], context_weight, body_weight)
        dense = self.dense.extended(keep, matrix, present)
        text, dates = self._history_extended(keep, *_row_history(rows))
        index = dict(self.units.index)
        codes = np.fromiter(
            (-1 if r[_UNIT_AT] is None else index.setdefault(str(r[_UNIT_AT]), len(index)) for r in rows), dtype=np.int32, count=len(rows)
        )
        units = CategoricalColumn(np.concatenate([self.units.codes[keep], codes]), index)
        return IndexSnapshot(
            generation, index_id, np.concatenate([self.rowids[keep], new_rowids]), columns, dense, lexical,
            np.concatenate([self.hashes[keep], passage_hashes([r[4] for r in rows])]), text=text, dates=dates, units=units,
        )

    def _history_extended(
        self, keep: np.ndarray, text: dict[str, TextColumn | None], dates: TextListColumn | None
    ) -> tuple[dict[str, TextColumn | None], TextListColumn | None]:
        """The history columns of the rows in ``keep`` followed by the new rows' ones."""
        merged: dict[str, TextColumn | None] = {}
        for name in TEXT_FIELDS:
            old, new = self.text.get(name), text.get(name)
            merged[name] = (
                TextColumn(np.concatenate([old.values[keep], new.values]), np.concatenate([old.null[keep], new.null]))
                if old is not None and new is not None else None
            )
        if self.dates is None or dates is None:
            return merged, None
        position = np.full(self.size, -1, dtype=np.int64)
        position[keep] = np.arange(len(keep))
        kept = position[self.dates.owner] >= 0
        combined = TextListColumn(
            np.concatenate([self.dates.values[kept], dates.values]),
            np.concatenate([position[self.dates.owner[kept]], dates.owner + len(keep)]),
            len(keep) + dates.rows,
        )
        return merged, combined

    def save(self, folder: Path) -> None:
        """Write to a temporary folder, then rename: readers see a complete folder or none."""
        tmp = folder.with_name(folder.name + f".tmp{os.getpid()}-{threading.get_ident()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        np.save(tmp / "rowids.npy", self.rowids)
        np.save(tmp / "hashes.npy", self.hashes)
        np.save(tmp / "vectors.npy", self.dense.matrix)
        np.save(tmp / "present.npy", self.dense.present)
        for name, column in self.columns.items():
            np.save(tmp / f"col-{name}.npy", column.codes)
        values = {name: column.values() for name, column in self.columns.items()}
        meta: dict[str, Any] = {"format": FORMAT, "generation": self.generation, "index_id": self.index_id, "values": values}
        if self.dense.packed is not None:
            packed, scales = self.dense.row_codes()  # saved in row order, partitioned or not
            np.save(tmp / "codes.npy", packed)
            np.save(tmp / "scales.npy", scales)
            np.save(tmp / "center.npy", self.dense.center)
            meta.update(max_error=self.dense.max_error, max_norm=self.dense.max_norm)
        if self.dense.partitions is not None:
            np.save(tmp / "centroids.npy", self.dense.partitions.centroids)
            np.save(tmp / "partition.npy", self.dense.partitions.of_row)
        for name, text in self.text.items():
            if text is not None:
                np.save(tmp / f"text-{name}.npy", text.values)
                np.save(tmp / f"null-{name}.npy", text.null)
        np.save(tmp / "units.npy", self.units.codes)
        meta["unit_values"] = self.units.values()
        if self.dates is not None:
            np.save(tmp / "dates.npy", self.dates.values)
            np.save(tmp / "dates-owner.npy", self.dates.owner)
        self.lexical.save(tmp / "lexical")
        (tmp / "snapshot.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        if folder.exists() and not _current_format(folder):
            shutil.rmtree(folder, ignore_errors=True)  # an older version's save of this generation
        try:
            os.replace(tmp, folder)
        except OSError:  # another process saved the same generation first
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(
        cls, folder: Path, k1: float, b: float, quantized: bool, resident_bytes: int = 0, depth: ProbeDepth | None = None
    ) -> IndexSnapshot:
        """A saved snapshot, mapped where it is large; its float32 vectors are then read into
        memory in the background when they fit ``resident_bytes`` (DenseIndex.read_resident).
        Its partitions are used where ``depth`` partitions an index of its size (and made
        where it was saved without them)."""
        meta = json.loads((folder / "snapshot.json").read_text("utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{folder}: saved in format {meta.get('format')}, expected {FORMAT}")
        columns = {
            name: CategoricalColumn(np.load(folder / f"col-{name}.npy"), {v: i for i, v in enumerate(values)})
            for name, values in meta["values"].items()
        }
        matrix = np.load(folder / "vectors.npy", mmap_mode="r")  # read only where re-scored
        present = np.load(folder / "present.npy")
        dense = DenseIndex(matrix, present, depth=depth or ProbeDepth())
        if quantized and (folder / "codes.npy").exists():
            codes, scales, center = (np.load(folder / f"{name}.npy") for name in ("codes", "scales", "center"))
            if dense.with_codes(codes, scales, center, float(meta["max_error"]), float(meta["max_norm"])):
                saved = (
                    Partitions.grouped(np.load(folder / "centroids.npy"), np.load(folder / "partition.npy"))
                    if (folder / "partition.npy").exists() else None
                )
                dense.partition_if_large(saved)
        elif quantized:
            dense = DenseIndex.build(np.asarray(matrix), present, quantized, depth)
        dense.read_resident(folder / "vectors.npy", resident_bytes)
        lexical = LexicalIndex.load(folder / "lexical", k1, b)
        rowids = np.load(folder / "rowids.npy")
        text = {
            name: TextColumn(np.load(folder / f"text-{name}.npy"), np.load(folder / f"null-{name}.npy"))
            if (folder / f"text-{name}.npy").exists() else None
            for name in TEXT_FIELDS
        }
        dates = (
            TextListColumn(np.load(folder / "dates.npy"), np.load(folder / "dates-owner.npy"), len(rowids))
            if (folder / "dates.npy").exists() else None
        )
        units = CategoricalColumn(np.load(folder / "units.npy"), {v: i for i, v in enumerate(meta["unit_values"])})
        return cls(
            int(meta["generation"]), str(meta["index_id"]), rowids, columns, dense, lexical,
            np.load(folder / "hashes.npy"), text=text, dates=dates, units=units,
        )


_ROWS_SQL = (
    f"SELECT p.rowid, p.embedding, f.context, f.body, p.id, {', '.join('p.' + c for c in COLUMNS)}, "
    # a field with a column of its own is read from it, as SQL filters read it (the date)
    + ", ".join(f"p.{name}" if name in SQL_COLUMNS else f"json_extract(p.meta, '$.{name}')" for name in TEXT_FIELDS)
    # the values SQL's amendment range compares (filters._amendment_dates), as one JSON array
    + ", (SELECT json_group_array(d.value) FROM json_each(p.meta, '$.amendment_dates') AS d), p.unit "
    "FROM passages p JOIN passages_fts f ON f.rowid = p.rowid"
)
_HISTORY_AT = 5 + len(COLUMNS)  # where the history fields start in a row of _ROWS_SQL
_UNIT_AT = _HISTORY_AT + len(TEXT_FIELDS) + 1  # the unit, after the history fields and the dates


def _history_columns(values: Sequence[Sequence[Any]]) -> tuple[dict[str, TextColumn | None], TextListColumn | None]:
    """The history fields' mask columns from their values per row (TEXT_FIELDS, then the
    amendment dates as a JSON array), column by column."""
    text = {name: TextColumn.build(values[i]) for i, name in enumerate(TEXT_FIELDS)}
    dates = TextListColumn.build([json.loads(v or "[]") for v in values[len(TEXT_FIELDS)]])
    return text, dates


def _row_history(rows: list[tuple[Any, ...]]) -> tuple[dict[str, TextColumn | None], TextListColumn | None]:
    """The same, from whole rows of _ROWS_SQL."""
    width = len(TEXT_FIELDS) + 1
    return _history_columns([[r[_HISTORY_AT + i] for r in rows] for i in range(width)])


def _rows_and_vectors(rows: list[tuple[Any, ...]], dim: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(rows)
    rowids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    matrix = np.zeros((n, dim), dtype=np.float32)
    present = np.zeros(n, dtype=bool)
    for i, r in enumerate(rows):
        if r[1] is not None:
            matrix[i] = np.frombuffer(r[1], dtype=np.float32)
            present[i] = True
    return rowids, matrix, present


def passage_hash(passage_id: str) -> int:
    """A stable 64-bit hash of a passage id (the same in every process, unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(passage_id.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def passage_hashes(ids: list[str]) -> np.ndarray:
    return np.fromiter((passage_hash(i) for i in ids), dtype=np.int64, count=len(ids))


def _current_format(folder: Path) -> bool:
    try:
        return json.loads((folder / "snapshot.json").read_text("utf-8")).get("format") == FORMAT
    except (OSError, ValueError):
        return False


def derived_folder(index_path: Path) -> Path:
    return index_path.with_name(index_path.name + ".derived")


def snapshot_folder(index_path: Path, generation: int, index_id: str) -> Path:
    return derived_folder(index_path) / f"g{generation}-{index_id or 'noid'}"


def remove_other_snapshots(index_path: Path, keep: Path) -> None:
    """Older generations' folders are of no further use (best effort: another process may
    still be reading one through memory maps, which stay valid after the unlink)."""
    parent = derived_folder(index_path)
    if not parent.is_dir():
        return
    for child in parent.iterdir():
        if child != keep and not child.name.startswith(keep.name + ".tmp"):
            shutil.rmtree(child, ignore_errors=True)
