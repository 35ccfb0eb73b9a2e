"""Store backends behind one interface: the embedded default (SQLite + exact vectors)."""

from __future__ import annotations

from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore


def open_store(settings: Settings) -> EmbeddedDocumentStore:
    """The store named by ``settings.backend``."""
    return EmbeddedDocumentStore(settings.store_path)


__all__ = ["EmbeddedDocumentStore", "open_store"]
