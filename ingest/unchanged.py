"""Recognising a document that is indexed exactly as a new ingest would index it.

The vector cache already spares the model on a re-ingest, but reading and parsing still
cost (the LFT's 331 PDF pages take ~20 s on two cores). A document is skipped when the file's
bytes, its metadata, the settings that shape passages and vectors, and the ingest code itself
are all what they were when the stored version was written, and the store still holds that
version (same passage count and write time). Anything else re-ingests it.

The ledger is a table in the vector cache's file beside the index (``vectors.sqlite3``); a
deleted or replaced index simply fails the store check and everything is ingested again.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any

from laborlex_core.schema import DocumentMeta
from laborlex_core.settings import Settings

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ingested (
    doc_id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    passages INTEGER NOT NULL,
    updated_at TEXT
);
"""

# Settings that change what is stored for a document (texts, windows, vectors).
_SHAPING_SETTINGS = (
    "model",
    "embed_runtime",
    "embed_dtype",
    "max_seq_length",
    "passage_max_tokens",
    "passage_overlap_tokens",
    "max_file_mb",
    "snippet_vectors",
)


@lru_cache(maxsize=1)
def code_digest() -> str:
    """sha256 over the source of the code that turns a file into passages and vectors."""
    import ingest
    import laborlex_core

    roots = [Path(ingest.__file__).parent, Path(laborlex_core.__file__).parent]
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            if "store" in path.relative_to(root).parts:
                continue  # how passages are stored does not change what they are
            digest.update(str(path.relative_to(root.parent)).encode("utf-8") + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint(path: Path, meta: DocumentMeta, settings: Settings) -> str:
    """What a document's indexed form depends on, as one digest."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    shaping = {name: str(getattr(settings, name)) for name in _SHAPING_SETTINGS}
    digest.update(json.dumps({"meta": meta.to_dict(), "settings": shaping, "code": code_digest()}, sort_keys=True).encode())
    return digest.hexdigest()


class IngestLedger:
    """Per document: the fingerprint its stored version was built from."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), timeout=30.0)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        self._conn.close()

    def is_current(self, doc_id: str, print_: str, stored: dict[str, Any] | None) -> bool:
        """True when ``stored`` (the store's record of the document) is what ``print_`` built."""
        if stored is None:
            return False
        row = self._conn.execute(
            "SELECT fingerprint, passages, updated_at FROM ingested WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        if row is None or row[0] != print_ or row[1] != stored.get("passages"):
            return False
        return row[2] is None or row[2] == _as_text(stored.get("updated_at"))

    def record(self, doc_id: str, print_: str, stored: dict[str, Any] | None) -> None:
        """Remember what the document just written was built from (nothing if it is not stored)."""
        with self._conn:
            if stored is None:
                self._conn.execute("DELETE FROM ingested WHERE doc_id = ?", (doc_id,))
                return
            self._conn.execute(
                "INSERT OR REPLACE INTO ingested (doc_id, fingerprint, passages, updated_at) VALUES (?, ?, ?, ?)",
                (doc_id, print_, stored.get("passages"), _as_text(stored.get("updated_at"))),
            )


def _as_text(value: Any) -> str | None:
    return None if value is None else str(value)
