"""The default store: one SQLite file (FTS5 for BM25, vectors as BLOBs) plus exact numpy search.

Why SQLite: it ships with Python, so a newcomer needs no server; a transaction covers a
document's text, terms, vectors and metadata together, so re-ingesting a document replaces
it atomically and a crash loses nothing committed; WAL mode lets searches run while an
ingest writes. Vectors are searched exactly (a matrix product over a memory copy kept in
step with a generation counter), so there is no ANN recall to lose. Measured figures that
led here are in the README.

Queries read an in-memory snapshot derived from SQLite per generation (``snapshot.py``):
BM25 postings and vectors, scored once per query, with every filtered list a mask and a
partial sort over those scores (``ranking.py``). Opening the store takes no write lock
when the schema is current, so an API thread never waits for an ingest to commit.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from haystack import Document, default_from_dict, default_to_dict
from haystack.document_stores.errors import DuplicateDocumentError
from haystack.document_stores.types import DuplicatePolicy

from laborlex_core.passage_text import CONTEXT_BM25_WEIGHT, context_line
from laborlex_core.schema import LANGUAGES, Citation, citation_key
from laborlex_core.snippet_sentences import SENTENCE_VECTORS_META, SentenceBlock
from laborlex_core.store import row_tables
from laborlex_core.store.citation_rows import (
    CITING_FIELDS,
    is_internal,
    stats_from_rows,
)
from laborlex_core.store.base import ListRequest
from laborlex_core.store.batch_lists import BatchLists
from laborlex_core.store.dense_index import FULL_PASS_THREADS, single_threaded_blas
from laborlex_core.store.dense_partitions import PARTITION_FROM_ROWS, PROBE_MIN_ROWS, PROBE_SHARE, ProbeDepth
from laborlex_core.store.filters import filter_fields, to_sql
from laborlex_core.store.lexical_index import is_single_token
from laborlex_core.store.per_generation import PerGeneration
from laborlex_core.store.ranking import NO_ROWS, allows_none, top_dense, top_matches
from laborlex_core.store.row_lists import RowList, SnapshotRows
from laborlex_core.store.shared_document import shared_document
from laborlex_core.store.snapshot import (
    _LRU,
    IndexSnapshot,
    passage_hash,
    remove_other_snapshots,
    snapshot_folder,
)
from laborlex_core.text_analysis import analyze, query_terms

_log = logging.getLogger("laborlex.store")

SCHEMA_VERSION = 5
# From this size, a snapshot that cannot be updated in place is rebuilt in the background
# while queries answer from the previous generation (below it, a rebuild takes under a second).
BACKGROUND_REBUILD_ROWS = 20_000
# From this size an incremental update after a commit runs in the background too, while
# queries answer from the previous generation: at 1M passages it took 23 s (copying the kept
# vectors and postings), at 100k 1.8 s, at 10k 0.2 s, where a query waits for it and sees the
# write at once.
BACKGROUND_UPDATE_ROWS = 200_000
FTS5_K1, FTS5_B = 1.2, 0.75  # FTS5's built-in bm25() constants (the fallback path uses them)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS passages (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    language TEXT, jurisdiction TEXT, kind TEXT, date TEXT,
    article TEXT, unit TEXT, title TEXT,
    ordinal INTEGER, chunk INTEGER,
    content TEXT NOT NULL,
    meta TEXT NOT NULL,
    embedding BLOB
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id, ordinal, chunk);
CREATE INDEX IF NOT EXISTS passages_article ON passages(doc_id, article, ordinal, chunk);
CREATE INDEX IF NOT EXISTS passages_cited ON passages(article, chunk);
CREATE INDEX IF NOT EXISTS passages_filters ON passages(jurisdiction, language, kind);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
    context, body, tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    meta TEXT NOT NULL,
    passages INTEGER NOT NULL,
    provisions INTEGER NOT NULL,
    updated_at REAL NOT NULL,
    text TEXT
);
CREATE TABLE IF NOT EXISTS citations (
    passage_rowid INTEGER NOT NULL,
    passage_id TEXT NOT NULL,
    doc_id TEXT NOT NULL, article TEXT NOT NULL,
    ordinal INTEGER, chunk INTEGER, seq INTEGER NOT NULL,
    text TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, kind TEXT NOT NULL,
    target_doc TEXT, target_article TEXT, target_key TEXT,
    instrument TEXT, detail TEXT,
    internal INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS citations_passage ON citations(passage_rowid);
CREATE INDEX IF NOT EXISTS citations_source ON citations(doc_id, article);
CREATE INDEX IF NOT EXISTS citations_target ON citations(target_key, internal);
CREATE TABLE IF NOT EXISTS sentence_vectors (
    passage_rowid INTEGER PRIMARY KEY,
    block BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS store_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO store_state VALUES ('generation', '0');
INSERT OR IGNORE INTO store_state VALUES ('schema_version', '5');
INSERT OR IGNORE INTO store_state VALUES ('index_id', lower(hex(randomblob(8))));
"""

# BM25 weight of the context column (title, headings, label) against the passage body.
CONTEXT_WEIGHT = CONTEXT_BM25_WEIGHT
BODY_WEIGHT = 1.0


def _schema_version(conn: sqlite3.Connection) -> int | None:
    """The schema version recorded in the index, read without a write lock (None: no schema)."""
    try:
        row = conn.execute("SELECT value FROM store_state WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError:  # no store_state table: a new, empty file
        return None
    return int(row[0]) if row else None


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring an index written by an earlier version up to the current schema, in place."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(documents)")}
    if "text" not in columns:  # schema 1 did not keep document texts
        conn.execute("ALTER TABLE documents ADD COLUMN text TEXT")
    # Schema 2 adds the citations table (created above by _SCHEMA if missing). Passages written
    # before it have no citations until their document is ingested again. Schema 3 adds the
    # index id (inserted by _SCHEMA) that tags the derived snapshots saved beside the index.
    # Schema 4 adds the sentence_vectors table (snippet sentence vectors computed at ingest);
    # passages written before it have none until re-ingested: their snippets embed on demand.
    # Schema 5 adds two indexes (created above): passages_article, for a result's earlier
    # windows (a long provision's chunks before it were read by scanning the whole document's
    # rows, ~4 ms a result in the Ley Federal del Trabajo), and passages_cited, for an article
    # cited without its instrument (looked for in every document: a scan of the whole table).
    conn.execute(
        "UPDATE store_state SET value = ? WHERE key = 'schema_version' AND CAST(value AS INTEGER) < ?",
        (str(SCHEMA_VERSION), SCHEMA_VERSION),
    )


class EmbeddedDocumentStore:
    """Haystack DocumentStore over SQLite, with BM25 and exact dense retrieval.

    Implements Haystack's DocumentStore protocol (count/filter/write/delete, to_dict/from_dict)
    and the retrieval and per-document methods that laborlex's pipelines and API use; the
    OpenSearch backend offers the same methods.
    """

    def __init__(
        self,
        path: str | Path,
        embedding_dim: int = 384,
        bm25_k1: float = FTS5_K1,
        bm25_b: float = FTS5_B,
        quantized: bool = True,
        save_snapshots: bool = True,
        resident_vectors_bytes: int = 1 << 30,
        dense_threads: int = FULL_PASS_THREADS,
        sqlite_mmap_bytes: int = 0,
        partition_from_rows: int = PARTITION_FROM_ROWS,
        probe_share: float = PROBE_SHARE,
        probe_min_rows: int = PROBE_MIN_ROWS,
    ) -> None:
        self.path = Path(path)
        self.embedding_dim = embedding_dim
        self.bm25_k1, self.bm25_b = float(bm25_k1), float(bm25_b)
        self.quantized = quantized  # int8 copy of the vectors for the first pass (exact top-k either way)
        self.save_snapshots = save_snapshots  # keep derived snapshots beside the index for fast reopen
        self.resident_vectors_bytes = resident_vectors_bytes  # a saved float32 matrix up to this is read into memory
        self.dense_threads = dense_threads  # of the int8 pass over every vector (LABORLEX_DENSE_THREADS)
        self.sqlite_mmap_bytes = sqlite_mmap_bytes
        # indexes this large search the nearest partitions of their vectors (dense_partitions.py)
        self.probe_depth = ProbeDepth(partition_from_rows, probe_share, probe_min_rows)
        single_threaded_blas()
        self._local = threading.local()
        self._snapshot_now: IndexSnapshot | None = None
        self._snapshot_lock = threading.Lock()
        self._rebuilding: threading.Thread | None = None
        self._save_lock = threading.Lock()
        self._saver: threading.Thread | None = None
        self._save_pending: IndexSnapshot | None = None
        self._citation_counts: PerGeneration[int] = PerGeneration()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._connection()  # creates the schema on first open

    # ---- connections -------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread: sqlite3 connections must not be shared across threads."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=60.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout=60000")
            conn.execute("PRAGMA synchronous=NORMAL")
            # Reads through a memory map (off by default): every page a search touched stayed in
            # the process's resident set (600 MB at 100k passages), and a first touch of a mapped
            # page costs more here than the read() it saves; steady-state search time was the same.
            conn.execute(f"PRAGMA mmap_size={self.sqlite_mmap_bytes}")
            # Reads only, when the index is current: a new thread must not queue behind an
            # ingest's write transaction (the schema script and the migration take the lock).
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            if _schema_version(conn) != SCHEMA_VERSION:
                conn.executescript("BEGIN IMMEDIATE;" + _SCHEMA)
                try:
                    _migrate(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            self._local.conn = conn
        return conn

    class _Transaction:
        def __init__(self, conn: sqlite3.Connection) -> None:
            self.conn = conn

        def __enter__(self) -> sqlite3.Connection:
            self.conn.execute("BEGIN IMMEDIATE")
            return self.conn

        def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
            if exc_type is None:
                self.conn.execute("UPDATE store_state SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
                self.conn.execute("COMMIT")
            else:
                self.conn.execute("ROLLBACK")

    def _write(self) -> _Transaction:
        """A write transaction that bumps the generation so readers refresh their vectors."""
        return self._Transaction(self._connection())

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def generation(self) -> int:
        row = self._connection().execute("SELECT value FROM store_state WHERE key = 'generation'").fetchone()
        return int(row[0])

    def _state(self) -> tuple[str, int]:
        """(index id, generation), read together: what answers kept per index state are tagged with."""
        values = dict(self._connection().execute("SELECT key, value FROM store_state WHERE key IN ('index_id', 'generation')"))
        return str(values["index_id"]), int(values["generation"])

    # ---- Haystack DocumentStore protocol -------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(
            self, path=str(self.path), embedding_dim=self.embedding_dim, bm25_k1=self.bm25_k1, bm25_b=self.bm25_b,
            quantized=self.quantized, save_snapshots=self.save_snapshots, resident_vectors_bytes=self.resident_vectors_bytes,
            dense_threads=self.dense_threads, sqlite_mmap_bytes=self.sqlite_mmap_bytes, partition_from_rows=self.probe_depth.from_rows,
            probe_share=self.probe_depth.share, probe_min_rows=self.probe_depth.min_rows,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EmbeddedDocumentStore:
        return default_from_dict(cls, data)

    def count_documents(self) -> int:
        return int(self._connection().execute("SELECT count(*) FROM passages").fetchone()[0])

    def filter_documents(self, filters: dict[str, Any] | None = None) -> list[Document]:
        return self.passages(filters, with_embeddings=True)

    def passages(self, filters: dict[str, Any] | None = None, with_embeddings: bool = False) -> list[Document]:
        """Passages matching ``filters`` in reading order; without their vectors unless asked
        (384 floats made into a Python list each: most of the cost of reading many rows)."""
        where, params = to_sql(filters)
        rows = self._connection().execute(
            f"SELECT id, content, meta, {'embedding' if with_embeddings else 'NULL'} FROM passages "
            f"WHERE {where} ORDER BY doc_id, ordinal, chunk",
            params,
        )
        return [self._row_to_document(row) for row in rows]

    def write_documents(self, documents: list[Document], policy: DuplicatePolicy = DuplicatePolicy.NONE) -> int:
        """Write passages; NONE behaves as FAIL, like Haystack's in-memory store."""
        if policy == DuplicatePolicy.NONE:
            policy = DuplicatePolicy.FAIL
        written = 0
        with self._write() as conn:
            for document in documents:
                existing = conn.execute("SELECT rowid FROM passages WHERE id = ?", (document.id,)).fetchone()
                if existing is not None:
                    if policy == DuplicatePolicy.SKIP:
                        continue
                    if policy == DuplicatePolicy.FAIL:
                        raise DuplicateDocumentError(f"ID '{document.id}' already exists in the document store.")
                    self._delete_rowids(conn, [existing[0]])
                self._insert(conn, document)
                written += 1
        return written

    def delete_documents(self, document_ids: list[str]) -> None:
        with self._write() as conn:
            rowids = [
                r[0]
                for i in document_ids
                for r in conn.execute("SELECT rowid FROM passages WHERE id = ?", (i,)).fetchall()
            ]
            self._delete_rowids(conn, rowids)

    # ---- per-document operations ------------------------------------------------------------

    def replace_document(
        self, doc_id: str, passages: Sequence[Document], doc_meta: dict[str, Any], text: str | None = None
    ) -> int:
        """Swap all passages of ``doc_id`` for ``passages`` in one transaction.

        Readers see either the old document or the new one, never a mix, and a failure
        midway leaves the old one in place. ``text`` is the document's extracted text, kept
        so a provision can be read whole and in context (passage offsets point into it).
        """
        provisions = len({(d.meta.get("article"), d.meta.get("ordinal")) for d in passages})
        with self._write() as conn:
            old = [r[0] for r in conn.execute("SELECT rowid FROM passages WHERE doc_id = ?", (doc_id,))]
            self._delete_rowids(conn, old)
            for document in passages:
                if document.meta.get("doc_id") != doc_id:
                    raise ValueError(f"passage {document.id} belongs to {document.meta.get('doc_id')}, not {doc_id}")
                self._insert(conn, document)
            conn.execute(
                "INSERT OR REPLACE INTO documents (doc_id, meta, passages, provisions, updated_at, text) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (doc_id, json.dumps(doc_meta, ensure_ascii=False), len(passages), provisions, time.time(), text),
            )
        return len(passages)

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document and its passages; False when it was not there."""
        with self._write() as conn:
            old = [r[0] for r in conn.execute("SELECT rowid FROM passages WHERE doc_id = ?", (doc_id,))]
            self._delete_rowids(conn, old)
            deleted = conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,)).rowcount
        return bool(deleted or old)

    def list_documents(self) -> list[dict[str, Any]]:
        """Metadata of every indexed document with its passage and provision counts.

        Read once per generation (the query pipeline asks for it on every search); each call
        gets its own copies."""
        snapshot = self._snapshot_now
        if snapshot is not None and snapshot.documents is not None and snapshot.generation == self.generation():
            return [dict(d) for d in snapshot.documents]
        conn = self._connection()
        conn.execute("BEGIN")
        try:
            generation = int(conn.execute("SELECT value FROM store_state WHERE key = 'generation'").fetchone()[0])
            rows = conn.execute("SELECT meta, passages, provisions, updated_at FROM documents ORDER BY doc_id").fetchall()
        finally:
            conn.execute("COMMIT")
        documents = [
            {**json.loads(meta), "passages": n, "provisions": p, "updated_at": updated}
            for meta, n, p, updated in rows
        ]
        if snapshot is not None and snapshot.generation == generation:
            snapshot.documents = documents
        return [dict(d) for d in documents]

    def get_document(self, doc_id: str) -> dict[str, Any] | None:
        row = self._connection().execute(
            "SELECT meta, passages, provisions, updated_at FROM documents WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            return None
        return {**json.loads(row[0]), "passages": row[1], "provisions": row[2], "updated_at": row[3]}

    def document_text(self, doc_id: str) -> str | None:
        """The extracted text of a document, as ingested (None if unknown or not kept)."""
        row = self._connection().execute("SELECT text FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def document_passages(self, doc_id: str, with_embeddings: bool = False) -> list[Document]:
        """A document's passages in reading order."""
        return self.passages({"field": "meta.doc_id", "operator": "==", "value": doc_id}, with_embeddings)

    def sentence_vectors(self, passage_ids: Sequence[str]) -> dict[str, SentenceBlock]:
        """The stored snippet sentence vectors of those passages that have them, in one read
        (a page's worth); a passage written before schema 4 or with them off has none."""
        wanted = list(dict.fromkeys(passage_ids))
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        rows = self._connection().execute(
            f"SELECT p.id, s.block FROM passages p JOIN sentence_vectors s ON s.passage_rowid = p.rowid WHERE p.id IN ({marks})",
            wanted,
        ).fetchall()
        return {passage_id: SentenceBlock.from_bytes(block) for passage_id, block in rows}

    def facet_counts(self, field: str, filters: dict[str, Any] | None = None) -> dict[str, int]:
        """Passage counts per value of a column (jurisdiction, language, kind)."""
        if field not in ("jurisdiction", "language", "kind", "doc_id"):
            raise ValueError(f"no facet on {field!r}")
        where, params = to_sql(filters)
        rows = self._connection().execute(
            f"SELECT {field}, count(*) FROM passages WHERE {where} GROUP BY {field}", params
        )
        return {str(value): n for value, n in rows if value is not None}

    # ---- citations -------------------------------------------------------------------

    def cited_by(self, doc_id: str, article: str) -> list[dict[str, Any]]:
        """Citations of ``doc_id``/``article`` made by other provisions, with who cites, in reading order."""
        return self._citation_rows("c.target_key = ? AND c.internal = 0", [citation_key(doc_id, article)])

    def citations_of(self, doc_id: str, article: str) -> list[dict[str, Any]]:
        """What the provision cites (resolved or not), in reading order."""
        return self._citation_rows("c.doc_id = ? AND c.article = ?", [doc_id, article])

    def citation_counts(self, keys: Sequence[str]) -> dict[str, int]:
        """For each ``DOC:ARTICLE`` key, how many other provisions cite it (absent = none).
        Counted once per index state (per_generation.py): a much-cited article's count took
        60-70 ms at 1M passages."""
        if not keys:
            return {}
        known = self._citation_counts.known(self._state())
        missing = [key for key in dict.fromkeys(keys) if key not in known]
        if missing:
            marks = ",".join("?" * len(missing))
            rows = self._connection().execute(
                f"SELECT target_key, count(DISTINCT doc_id || char(31) || article) FROM citations "
                f"WHERE internal = 0 AND target_key IN ({marks}) GROUP BY target_key",
                missing,
            )
            counted = {key: int(n) for key, n in rows}
            for key in missing:
                known[key] = counted.get(key, 0)
        return {key: known[key] for key in keys if known.get(key)}

    def citation_stats(self) -> dict[str, Any]:
        """Citations and resolved ones per citing document; citing counts per cited provision."""
        return stats_from_rows(self._citation_rows("1", []))

    def _citation_rows(self, where: str, params: list[Any]) -> list[dict[str, Any]]:
        rows = self._connection().execute(
            "SELECT c.passage_id, c.seq, c.text, c.start, c.\"end\", c.kind, c.target_doc, c.target_article, "
            "c.target_key, c.instrument, c.detail, c.internal, p.meta FROM citations c "
            f"JOIN passages p ON p.rowid = c.passage_rowid WHERE {where} "
            "ORDER BY c.doc_id, c.ordinal, c.chunk, c.seq",
            params,
        )
        out: list[dict[str, Any]] = []
        for passage_id, seq, text, start, end, kind, tdoc, tart, key, instrument, detail, internal, meta in rows:
            citing = json.loads(meta)
            row = {name: citing.get(name) for name in CITING_FIELDS}
            row["doc_kind"] = citing.get("kind")
            row.update(
                passage_id=passage_id, seq=seq, text=text, start=start, end=end, kind=kind, target_doc=tdoc,
                target_article=tart, target_key=key, instrument=instrument, detail=detail, internal=bool(internal),
            )
            row["article"] = str(citing.get("article") or "")
            out.append(row)
        return out

    # ---- retrieval -------------------------------------------------------------------

    def bm25_retrieval(
        self, query: str, filters: dict[str, Any] | None = None, top_k: int = 10
    ) -> list[Document]:
        """BM25 over analyzed terms of the context line and the body, best first.

        The query's terms are scored once per generation over every passage (cached), and
        this list is the top-k of those scores under the filter's mask."""
        found = self._bm25_rows(query, filters, top_k)
        return found if isinstance(found, list) else self._documents(*found)

    def _bm25_rows(
        self,
        query: str,
        filters: dict[str, Any] | None,
        top_k: int,
        snapshot: IndexSnapshot | None = None,
        batch: BatchLists | None = None,
    ) -> tuple[IndexSnapshot, np.ndarray, np.ndarray] | list[Document]:
        """The BM25 list as (snapshot, rows, scores), or as Documents where FTS5 answers it;
        from ``snapshot`` when given (the other lists of a batch), else the current one."""
        terms = self._query_terms(query)
        if not terms:
            return []
        if not all(is_single_token(t) for t in terms):  # FTS5 would match a phrase: let it
            return self._fts5_retrieval(terms, filters, top_k)
        snapshot = self._snapshot() if snapshot is None else snapshot
        mask = self._mask(snapshot, filters)
        if allows_none(mask):  # e.g. translated words in a language the user's filter leaves out
            return snapshot, *NO_ROWS
        key = ("bm25", terms, top_k)
        found = None if batch is None else batch.get(key, mask)
        if found is None:
            scored = snapshot.lexical_scores(terms)
            found = top_matches(scored.scores, scored.matched, mask, top_k)
            if batch is not None:
                batch.put(key, mask, found)
        return snapshot, *found

    def embedding_retrieval(
        self, query_embedding: Sequence[float], filters: dict[str, Any] | None = None, top_k: int = 10
    ) -> list[Document]:
        """Exact cosine similarity (dot product of normalized vectors), best first.

        One pass over the vectors per query vector (cached); each list is a mask and a
        partial sort over it, re-scored exactly in float32 (see dense_index.py). An index of
        ``partition_from_rows`` passages or more scores only the partitions nearest the query
        (approximate: exact among the rows scored; dense_partitions.py)."""
        found = self._dense_rows(query_embedding, filters, top_k)
        return found if isinstance(found, list) else self._documents(*found)

    def _dense_rows(
        self,
        query_embedding: Sequence[float],
        filters: dict[str, Any] | None,
        top_k: int,
        snapshot: IndexSnapshot | None = None,
        batch: BatchLists | None = None,
    ) -> tuple[IndexSnapshot, np.ndarray, np.ndarray] | list[Document]:
        vector = np.asarray(query_embedding, dtype=np.float32)
        snapshot = self._snapshot() if snapshot is None else snapshot
        if snapshot.size == 0 or vector.size == 0:
            return []
        if vector.shape != (snapshot.dense.matrix.shape[1],):
            raise ValueError(f"query embedding has shape {vector.shape}, expected ({snapshot.dense.matrix.shape[1]},)")
        mask = self._mask(snapshot, filters)
        if allows_none(mask):
            return snapshot, *NO_ROWS
        key = ("dense", vector.tobytes(), top_k)
        found = None if batch is None else batch.get(key, mask)
        if found is None:
            found = top_dense(snapshot.dense, snapshot.dense_scores(vector, self.dense_threads), mask, top_k)
            if batch is not None:
                batch.put(key, mask, found)
        return snapshot, *found

    def ranked_lists(self, requests: Sequence[ListRequest]) -> list[list[Document]]:
        """One list at a time (here a list costs no round trip: the scores are cached per
        query), each as a :class:`RowList`: equal to the single call's Documents, which are
        built only where read; fusion and collapsing work on its rows (search_api.row_fusion).
        Every list of the batch comes from one snapshot: fusion's row path needs one, and a
        commit between two lists would otherwise split them (and each list would read the
        generation again)."""
        out: list[Any] = []
        snapshot = self._snapshot()
        batch = BatchLists()
        for request in requests:
            found = (
                self._bm25_rows(request.query, request.filters, request.top_k, snapshot, batch) if request.query is not None
                else self._dense_rows(request.embedding or [], request.filters, request.top_k, snapshot, batch)
            )
            if isinstance(found, list):
                out.append(found)
            elif self._rebuilding is not None and found[0] is self._snapshot_now:
                out.append(self._documents(*found))  # an earlier generation's rows: read (and checked) now
            else:
                out.append(RowList(SnapshotRows(self, found[0]), found[1], found[2]))
        return out

    # ---- matches, for totals, facets and paging past the ranked lists ------------------------

    def provision_matches(
        self,
        query: str,
        filters: dict[str, Any] | None = None,
        include: Sequence[tuple[str, str]] = (),
        also: Sequence[tuple[str, dict[str, Any] | None]] = (),
        narrowing: dict[str, Any] | None = None,
    ) -> ProvisionMatches:
        """The provisions matching ``query`` under ``filters``: those with a passage holding one
        of the query's terms (as BM25 analyzes them), those matching a further (query, filters)
        pair of ``also`` (e.g. translated terms within a language), plus the (doc_id, article)
        pairs in ``include`` (what a ranking returned by other means), best BM25 passage first.
        ``narrowing`` needs no work ahead here: ``narrowed`` masks what is counted."""
        snapshot = self._snapshot()
        table = row_tables.provision_table(snapshot)
        seen = np.zeros(table.count, dtype=bool)  # provisions with a matching passage
        parts: list[tuple[np.ndarray, np.ndarray]] = []
        for text, within in ((query, filters), *also):
            terms = self._query_terms(text)
            if not terms:
                continue
            mask = self._mask(snapshot, within)
            if allows_none(mask):
                continue
            scored = snapshot.lexical_scores(terms)
            found = scored.matched if mask is None else scored.matched[mask[scored.matched]]
            parts.append((found, scored.scores))  # every row's scores: a page reads its rows' only when asked
            seen[table.of_row[found]] = True
        extra = []
        for doc_id, article in include:
            code = snapshot.provision_code(str(doc_id), str(article))
            number = None if code is None else table.number(code)
            if number is not None and not seen[number]:
                seen[number] = True
                extra.append(int(table.first_row[number]))
        return ProvisionMatches(self, snapshot, parts, np.asarray(extra, dtype=np.int64), seen)

    def forget_query_scores(self) -> None:
        """Score the next queries afresh (for benchmarks: each timing then includes the scoring)."""
        self._snapshot().forget_query_scores()

    def warm(self) -> None:
        """Build (or load) the snapshot of the current generation now rather than at the first query."""
        self._snapshot()

    # ---- internals -------------------------------------------------------------------

    def _query_terms(self, query: str) -> tuple[str, ...]:
        return query_terms(query, LANGUAGES)

    def _fts5_retrieval(self, terms: tuple[str, ...], filters: dict[str, Any] | None, top_k: int) -> list[Document]:
        """FTS5's own bm25() (terms that are phrases to FTS5, e.g. with an underscore)."""
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        where, params = to_sql(filters)
        score = f"bm25(passages_fts, {CONTEXT_WEIGHT}, {BODY_WEIGHT})"
        sql = (
            f"SELECT passages_fts.rowid, {score} AS s FROM passages_fts "
            f"JOIN passages p ON p.rowid = passages_fts.rowid "
            f"WHERE passages_fts MATCH ? AND {where} ORDER BY s, passages_fts.rowid LIMIT ?"
        )
        rows = self._connection().execute(sql, [match, *params, top_k]).fetchall()
        return self._documents_by_rowid([int(r[0]) for r in rows], [-float(r[1]) for r in rows])

    def _mask(self, snapshot: IndexSnapshot, filters: dict[str, Any] | None) -> np.ndarray | None:
        return snapshot.mask(filters, self._filtered_rowids)

    def _snapshot(self) -> IndexSnapshot:
        """The in-memory snapshot of the current generation.

        After a commit it is derived from the previous one by applying the changed rows
        (``IndexSnapshot.updated``: a fraction of a rebuild). From ``BACKGROUND_UPDATE_ROWS``
        passages that update, and from ``BACKGROUND_REBUILD_ROWS`` a needed rebuild, run in a
        background thread while queries keep answering from the previous generation (rows
        that left the index meanwhile are dropped from its answers, see ``_documents``); a
        small index, or the first open, is brought up to date in line."""
        generation = self.generation()
        snapshot = self._snapshot_now
        if snapshot is not None and snapshot.generation == generation:
            return snapshot
        with self._snapshot_lock:
            snapshot = self._snapshot_now
            generation = self.generation()
            if snapshot is not None and snapshot.generation == generation:
                return snapshot
            if self._rebuilding is not None and snapshot is not None:
                return snapshot  # the next generation is being built: answer from this one meanwhile
            index_id = self._index_id()
            loaded = self._load_saved(generation, index_id)
            same_index = snapshot is not None and snapshot.index_id == index_id
            if loaded is None and same_index and snapshot.size >= BACKGROUND_UPDATE_ROWS:
                return self._refresh_in_background(snapshot)
            if loaded is None and snapshot is not None:
                loaded = self._updated_from(snapshot)
                if loaded is None and same_index and snapshot.size >= BACKGROUND_REBUILD_ROWS:
                    return self._refresh_in_background(snapshot, update=False)
            if loaded is None:
                loaded = self._build_and_save()
            self._snapshot_now = loaded
            return loaded

    def _refresh_in_background(self, current: IndexSnapshot, update: bool = True) -> IndexSnapshot:
        """Start making the current generation's snapshot in a thread (an update of
        ``current``, or a rebuild) and answer from ``current`` meanwhile. The caller holds
        ``_snapshot_lock``."""
        args = (current,) if update else ()
        self._rebuilding = threading.Thread(target=self._rebuild, args=args, name="laborlex-snapshot", daemon=True)
        self._rebuilding.start()
        return current

    def _updated_from(self, previous: IndexSnapshot) -> IndexSnapshot | None:
        """``previous`` with the rows changed since applied (None where a rebuild is needed),
        saved in the background."""
        started = time.perf_counter()
        updated = previous.updated(self._connection(), self.embedding_dim, CONTEXT_WEIGHT, BODY_WEIGHT)
        if updated is not None:
            _log.info("snapshot updated to generation %s in %.3f s", updated.generation, time.perf_counter() - started)
            self._save_later(updated)
        return updated

    def _load_saved(self, generation: int, index_id: str) -> IndexSnapshot | None:
        folder = snapshot_folder(self.path, generation, index_id)
        if not (folder / "snapshot.json").exists():
            return None
        try:
            return IndexSnapshot.load(
                folder, self.bm25_k1, self.bm25_b, self.quantized, self.resident_vectors_bytes, self.probe_depth
            )
        except (OSError, ValueError, KeyError) as error:
            _log.warning("snapshot unreadable: %s (%s)", folder, error)
            return None

    def _build_and_save(self) -> IndexSnapshot:
        built = IndexSnapshot.build(
            self._connection(), self.embedding_dim, CONTEXT_WEIGHT, BODY_WEIGHT, self.bm25_k1, self.bm25_b, self.quantized,
            self.probe_depth,
        )
        if self.save_snapshots and built.size:
            self._save(built)
        return built

    def _save(self, snapshot: IndexSnapshot) -> None:
        folder = snapshot_folder(self.path, snapshot.generation, snapshot.index_id)
        try:
            snapshot.save(folder)
            remove_other_snapshots(self.path, folder)
        except OSError as error:  # a read-only folder: keep it in memory only
            _log.warning("snapshot not saved: %s (%s)", folder, error)

    def _save_later(self, snapshot: IndexSnapshot) -> None:
        """Save an updated snapshot without holding up the query that made it. One saver
        thread at a time, always saving the latest pending snapshot (during an ingest many
        generations go by; only the last one is worth writing)."""
        if not self.save_snapshots or not snapshot.size:
            return
        with self._save_lock:
            self._save_pending = snapshot
            if self._saver is not None:
                return
            self._saver = threading.Thread(target=self._save_loop, name="laborlex-snapshot-save", daemon=True)
            self._saver.start()

    def _save_loop(self) -> None:
        while True:
            with self._save_lock:
                snapshot, self._save_pending = self._save_pending, None
                if snapshot is None:
                    self._saver = None
                    return
            self._save(snapshot)

    def _rebuild(self, previous: IndexSnapshot | None = None) -> None:
        """The current generation's snapshot, made in the background: updated from ``previous``
        where that applies, else rebuilt; queries answer from the one they have meanwhile."""
        try:
            built = self._updated_from(previous) if previous is not None else None
            if built is None:
                built = self._build_and_save()
            with self._snapshot_lock:
                if self._snapshot_now is None or built.generation >= self._snapshot_now.generation:
                    self._snapshot_now = built
        except Exception:  # pragma: no cover - logged; the next query tries again in line
            _log.exception("snapshot rebuild failed")
        finally:
            self._rebuilding = None
            self.close()  # this thread's connection

    def wait_for_refresh(self) -> None:
        """Wait until a snapshot being made in the background (an update or a rebuild) answers."""
        rebuilding = self._rebuilding
        if rebuilding is not None:
            rebuilding.join()

    def wait_for_snapshot(self) -> None:
        """Wait for a background rebuild and pending saves (tests, benchmarks, shutdown)."""
        self.wait_for_refresh()
        while True:
            saver = self._saver
            if saver is None:
                return
            saver.join()

    def _index_id(self) -> str:
        row = self._connection().execute("SELECT value FROM store_state WHERE key = 'index_id'").fetchone()
        return str(row[0]) if row else ""

    def _documents(self, snapshot: IndexSnapshot, rows: np.ndarray, scores: np.ndarray) -> list[Document]:
        """Documents of snapshot rows with their scores (see :meth:`_row_data`)."""
        return [
            shared_document(row[0], row[1], dict(row[2]), float(score))
            for row, score in zip(self._row_data(snapshot, rows), scores)
            if row is not None
        ]

    def _row_data(self, snapshot: IndexSnapshot, rows: np.ndarray) -> list[tuple[str, str, dict[str, Any]] | None]:
        """(passage id, text, metadata) of snapshot rows (the metadata shared: copy it to
        change it). A row is read from SQLite only if it still holds the passage the snapshot
        scored (same rowid and id hash): a snapshot of an earlier generation, answering while
        the next one is prepared, drops the passages removed since (None) and never shows
        another passage's text under a stale score."""
        rowids = [int(r) for r in snapshot.rowids[np.asarray(rows, dtype=np.int64)]]
        stale = self._rebuilding is not None and snapshot is self._snapshot_now  # answering for a newer generation
        cache = _LRU(len(rowids) or 1) if stale else snapshot.rows  # a stale answer re-reads (and checks) every row
        missing = [r for r in rowids if cache.peek(r) is None]
        if missing:
            wanted = {int(snapshot.rowids[i]): int(snapshot.hashes[i]) for i in rows}
            marks = ",".join("?" * len(missing))
            fetched = self._connection().execute(
                f"SELECT rowid, id, content, meta FROM passages WHERE rowid IN ({marks})", missing
            ).fetchall()
            for rowid, passage_id, content, meta in fetched:
                if passage_hash(passage_id) == wanted[int(rowid)]:
                    cache.put(int(rowid), (passage_id, content, json.loads(meta)))
        return [cache.peek(rowid) for rowid in rowids]

    def _insert(self, conn: sqlite3.Connection, document: Document) -> None:
        meta = document.meta
        block = meta.get(SENTENCE_VECTORS_META)
        if block is not None:  # kept in its own table, not in the persisted meta
            meta = {k: v for k, v in meta.items() if k != SENTENCE_VECTORS_META}
        language = meta.get("language")
        embedding = None
        if document.embedding is not None:
            vector = np.asarray(document.embedding, dtype=np.float32)
            if vector.shape != (self.embedding_dim,):
                raise ValueError(f"passage {document.id}: embedding has shape {vector.shape}, expected ({self.embedding_dim},)")
            embedding = vector.tobytes()
        cursor = conn.execute(
            "INSERT INTO passages (id, doc_id, language, jurisdiction, kind, date, article, unit, title, "
            "ordinal, chunk, content, meta, embedding) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                document.id,
                meta.get("doc_id") or document.id,
                language,
                meta.get("jurisdiction"),
                meta.get("kind"),
                meta.get("date"),
                meta.get("article"),
                meta.get("unit"),
                meta.get("title"),
                meta.get("ordinal"),
                meta.get("chunk"),
                document.content or "",
                json.dumps(meta, ensure_ascii=False),
                embedding,
            ),
        )
        conn.execute(
            "INSERT INTO passages_fts (rowid, context, body) VALUES (?, ?, ?)",
            (
                cursor.lastrowid,
                " ".join(analyze(context_line(meta), language)),
                " ".join(analyze(document.content or "", language)),
            ),
        )
        self._insert_citations(conn, int(cursor.lastrowid or 0), document)
        if block is not None:
            conn.execute("INSERT INTO sentence_vectors (passage_rowid, block) VALUES (?, ?)", (cursor.lastrowid, bytes(block)))

    @staticmethod
    def _insert_citations(conn: sqlite3.Connection, rowid: int, document: Document) -> None:
        """The passage's ``meta["citations"]`` as rows of the citations table (same transaction)."""
        meta = document.meta
        doc_id, article = str(meta.get("doc_id") or document.id), str(meta.get("article") or "")
        for seq, raw in enumerate(meta.get("citations") or []):
            c = Citation.from_dict(raw)
            internal = is_internal({"doc_id": doc_id, "article": article, "target_doc": c.target_doc, "target_article": c.target_article})
            conn.execute(
                "INSERT INTO citations (passage_rowid, passage_id, doc_id, article, ordinal, chunk, seq, text, start, \"end\", "
                "kind, target_doc, target_article, target_key, instrument, detail, internal) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    rowid, document.id, doc_id, article, meta.get("ordinal"), meta.get("chunk"), seq, c.text, c.start, c.end,
                    c.kind, c.target_doc, c.target_article, c.key, c.instrument, c.detail, int(internal),
                ),
            )

    @staticmethod
    def _delete_rowids(conn: sqlite3.Connection, rowids: Iterable[int]) -> None:
        for rowid in rowids:
            conn.execute("DELETE FROM citations WHERE passage_rowid = ?", (rowid,))
            conn.execute("DELETE FROM sentence_vectors WHERE passage_rowid = ?", (rowid,))
            conn.execute("DELETE FROM passages_fts WHERE rowid = ?", (rowid,))
            conn.execute("DELETE FROM passages WHERE rowid = ?", (rowid,))

    def _row_to_document(self, row: Sequence[Any], score: float | None = None) -> Document:
        doc_id, content, meta, blob = row
        embedding = np.frombuffer(blob, dtype=np.float32).tolist() if blob is not None else None
        return Document(id=doc_id, content=content, meta=json.loads(meta), embedding=embedding, score=score)

    def _documents_by_rowid(self, rowids: list[int], scores: list[float]) -> list[Document]:
        if not rowids:
            return []
        marks = ",".join("?" * len(rowids))
        rows = {
            r[0]: r[1:]
            for r in self._connection().execute(
                f"SELECT rowid, id, content, meta, NULL FROM passages WHERE rowid IN ({marks})", rowids
            )
        }
        return [self._row_to_document(rows[r], score=s) for r, s in zip(rowids, scores) if r in rows]

    def _filtered_rowids(self, filters: dict[str, Any]) -> np.ndarray:
        where, params = to_sql(filters)
        rows = self._connection().execute(f"SELECT rowid FROM passages WHERE {where}", params).fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))


@dataclass(slots=True)
class ProvisionMatches:
    """Provisions matching a query under a filter, best first: count them, facet them, page them.

    Counting and faceting work on provision numbers (row_tables.ProvisionTable); the order
    (each provision's best BM25 passage, best first) is made only when a page past the
    ranking asks for it, and rows (text, metadata) are loaded only for the page asked for."""

    store: EmbeddedDocumentStore
    snapshot: IndexSnapshot
    parts: list[tuple[np.ndarray, np.ndarray]]  # (rows, every row's scores) of each matching (terms, filter) pair
    extra: np.ndarray  # a row of each included provision that matched no term
    found: np.ndarray  # bool per provision number (row_tables.ProvisionTable): matched or included
    within: np.ndarray | None = None  # bool per row: a narrowing filter the parts' rows must also pass
    _best: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def total(self) -> int:
        return int(self.found.sum())

    @property
    def rows(self) -> np.ndarray:
        """Best passage row of each lexically matching provision, best first."""
        return self._ordered()[0]

    @property
    def scores(self) -> np.ndarray:
        return self._ordered()[1]

    def narrowed(self, facet_filter: dict[str, Any] | None) -> ProvisionMatches | None:
        """These matches whose provisions also pass ``facet_filter``, without counting again:
        where every field the filter reads holds one value over all of a provision's passages
        (jurisdiction, language, kind), a provision passes or fails it whole, so the matches
        under both filters are these masked by provision. A search page counts its facets
        under the user's other filters and its ``total`` under all of them: at 1M passages the
        second count cost ~6 ms. None where a field varies within a provision (count again)."""
        if not facet_filter:
            return self
        table = row_tables.provision_table(self.snapshot)
        fields = filter_fields(facet_filter)
        if not all(table.uniform.get(name, False) for name in fields):
            return None
        passing = self.store._mask(self.snapshot, facet_filter)
        if passing is None:
            return self
        within = passing if self.within is None else self.within & passing
        return ProvisionMatches(
            self.store, self.snapshot, self.parts, self.extra[passing[self.extra]], self.found & table.passing(passing), within
        )

    def _ordered(self) -> tuple[np.ndarray, np.ndarray]:
        if self._best is None:
            parts = self.parts if self.within is None else [(r[self.within[r]], s) for r, s in self.parts]
            rows = np.concatenate([r for r, _ in parts]) if parts else np.zeros(0, dtype=np.int64)
            scores = np.concatenate([s[r] for r, s in parts]) if parts else np.zeros(0, dtype=np.float64)
            order = np.lexsort((rows, -scores))
            rows, scores = rows[order], scores[order]
            _, first = np.unique(self.snapshot.provision[rows], return_index=True)
            first = np.sort(first)  # best passage of each provision, in score order
            self._best = rows[first], scores[first]
        return self._best

    def facet_counts(self, fields: Sequence[str]) -> dict[str, dict[str, int]]:
        """Provisions per value of each column (a provision counts once, by its document)."""
        table = row_tables.provision_table(self.snapshot)
        uniform = all(table.uniform[name] for name in fields)  # any passage of a provision stands for it
        rows = None if uniform else (np.concatenate([self.rows, self.extra]) if len(self.extra) else self.rows)
        by_provision = table.value_counts(self.snapshot, fields, self.found) if rows is None else {}
        out: dict[str, dict[str, int]] = {}
        for name in fields:
            column = self.snapshot.columns[name]
            if rows is None:
                counts = by_provision[name]
            else:
                codes = column.codes[rows]
                counts = np.bincount(codes[codes >= 0], minlength=len(column.index))
            values = column.values()
            pairs = [(values[i], int(n)) for i, n in enumerate(counts) if n]
            out[name] = dict(sorted(pairs, key=lambda kv: (-kv[1], kv[0])))
        return out

    def page(self, exclude: set[tuple[str, str]], offset: int, limit: int) -> list[Document]:
        """Lexically matching provisions not in ``exclude``, best BM25 passage each, from ``offset``."""
        snapshot = self.snapshot
        skip = np.asarray(
            [c for c in (snapshot.provision_code(str(d), str(a)) for d, a in exclude) if c is not None], dtype=np.int64
        )
        keep = ~np.isin(snapshot.provision[self.rows], skip) if len(skip) else np.ones(len(self.rows), dtype=bool)
        rows, scores = self.rows[keep][offset : offset + limit], self.scores[keep][offset : offset + limit]
        return self.store._documents(snapshot, rows, scores)
