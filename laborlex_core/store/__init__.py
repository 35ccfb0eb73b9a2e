"""Store backends behind one interface: the embedded default (SQLite + exact vectors) and OpenSearch."""

from __future__ import annotations

from haystack.core.serialization import allow_deserialization_module

from laborlex_core.settings import Settings
from laborlex_core.store.base import SearchBackend
from laborlex_core.store.embedded import EmbeddedDocumentStore

# Our own components and stores may be rebuilt from their to_dict() (Haystack refuses
# unknown modules by default).
for _module in ("laborlex_core", "ingest", "search_api"):
    allow_deserialization_module(_module)


def open_store(settings: Settings) -> SearchBackend:
    """The store named by ``settings.backend``."""
    if settings.backend == "opensearch":
        # Imported here so the embedded default never needs opensearch-py.
        from laborlex_core.store.opensearch import OpenSearchBackend

        return OpenSearchBackend(settings)
    return EmbeddedDocumentStore(
        settings.store_path, bm25_k1=settings.bm25_k1, bm25_b=settings.bm25_b, quantized=settings.dense_quantized,
        resident_vectors_bytes=int(settings.dense_resident_mb * 2**20), dense_threads=settings.dense_threads,
        sqlite_mmap_bytes=int(settings.sqlite_mmap_mb * 2**20),
        partition_from_rows=settings.dense_partition_from_rows, probe_share=settings.dense_probe_share,
        probe_min_rows=settings.dense_probe_min_rows,
    )


__all__ = ["EmbeddedDocumentStore", "SearchBackend", "open_store"]
