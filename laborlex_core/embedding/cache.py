"""A vector cache kept with the index, so that no passage is embedded twice.

Embedding is nearly all of an ingest's time, and re-ingesting a corpus mostly re-reads
documents whose passages have not changed. The cache maps (model identity, sha256 of the
exact text the model encodes) to the vector the model gave it, in its own SQLite file next to
the index (``vectors.sqlite3`` in the data folder), so the store's schema is untouched and the
cache survives a rebuilt index.

The model identity names everything that changes a vector: the model reference, the runtime
and its precision, the prompt, the sequence window, and a fingerprint of the model's files.
Change any of them and the old vectors are simply never looked up again (``prune`` drops them).

File fingerprints are memoised per (path, size, mtime) in the same file, so hashing the
~470 MB of weights happens once per model build, not once per ingest.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger("laborlex.embedding")

FILE_NAME = "vectors.sqlite3"
# Files at most this large are hashed whole every time; larger ones are memoised by mtime.
_SMALL_FILE = 1 << 20

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    text_sha256 BLOB NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, text_sha256)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS file_digests (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL
);
"""


def text_key(text: str) -> bytes:
    """The cache key of one input: sha256 of the exact string the model encodes."""
    return hashlib.sha256(text.encode("utf-8")).digest()


class VectorCache:
    """Vectors by (model identity, text hash) in one SQLite file; safe across threads.

    Writes are batched per call and committed at once; a crash loses at most the last batch,
    which is simply embedded again next time.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30.0)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def get_many(self, model: str, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        """The cached vectors among ``keys`` (float32, as stored)."""
        found: dict[bytes, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        with self._lock:
            for first in range(0, len(unique), 500):  # SQLite's bound-parameter limit
                chunk = unique[first : first + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT text_sha256, dim, vector FROM vectors WHERE model = ? AND text_sha256 IN ({marks})",
                    [model, *chunk],
                )
                for key, dim, blob in rows:
                    vector = np.frombuffer(blob, dtype="<f4")
                    if vector.shape == (dim,):
                        found[bytes(key)] = vector
        return found

    def put_many(self, model: str, items: Iterable[tuple[bytes, np.ndarray]]) -> None:
        rows = [
            (model, key, int(v.shape[0]), np.ascontiguousarray(v, dtype="<f4").tobytes()) for key, v in items
        ]
        if not rows:
            return
        with self._lock, self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO vectors (model, text_sha256, dim, vector) VALUES (?, ?, ?, ?)", rows
            )

    def count(self, model: str | None = None) -> int:
        with self._lock:
            if model is None:
                return int(self._conn.execute("SELECT count(*) FROM vectors").fetchone()[0])
            return int(self._conn.execute("SELECT count(*) FROM vectors WHERE model = ?", (model,)).fetchone()[0])

    def models(self) -> dict[str, int]:
        """Vectors held per model identity."""
        with self._lock:
            return dict(self._conn.execute("SELECT model, count(*) FROM vectors GROUP BY model").fetchall())

    def prune(self, keep_model: str) -> int:
        """Drop the vectors of every other model identity; returns how many rows went."""
        with self._lock, self._conn:
            return self._conn.execute("DELETE FROM vectors WHERE model != ?", (keep_model,)).rowcount

    def file_digest(self, path: Path) -> str:
        """sha256 of a file, memoised by (path, size, mtime) for large files."""
        stat = path.stat()
        if stat.st_size <= _SMALL_FILE:
            return _sha256_file(path)
        key = str(path.resolve())
        with self._lock:
            row = self._conn.execute("SELECT size, mtime_ns, sha256 FROM file_digests WHERE path = ?", (key,)).fetchone()
        if row and row[0] == stat.st_size and row[1] == stat.st_mtime_ns:
            return str(row[2])
        digest = _sha256_file(path)
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO file_digests (path, size, mtime_ns, sha256) VALUES (?, ?, ?, ?)",
                (key, stat.st_size, stat.st_mtime_ns, digest),
            )
        return digest

    def folder_digest(self, folder: Path) -> str:
        """One digest over every file of a model folder (relative names and contents).

        Hidden files (the build markers, which hold a build time) are not the model.
        """
        outer = hashlib.sha256()
        files = (p for p in folder.rglob("*") if p.is_file())
        for path in sorted(p for p in files if not any(part.startswith(".") for part in p.relative_to(folder).parts)):
            outer.update(str(path.relative_to(folder)).encode("utf-8") + b"\0")
            outer.update(self.file_digest(path).encode("ascii"))
        return outer.hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()
