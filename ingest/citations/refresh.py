"""Re-extract the citations of passages already in a store, without reading or embedding again.

An index written before citations existed (embedded schema 1) holds passages without them;
this brings it up to date in minutes instead of a full re-ingest, one atomic replace per
document, on either backend.
"""

from __future__ import annotations

from ingest.citations.component import CitationExtractor
from laborlex_core.store.base import SearchBackend

_RECORD_FIELDS = ("passages", "provisions", "updated_at", "provision_count")


def refresh_citations(store: SearchBackend) -> dict[str, int]:
    """Citations found per document, after rewriting each document's passages with them."""
    extractor = CitationExtractor()
    found: dict[str, int] = {}
    for record in store.list_documents():
        doc_id = str(record["doc_id"])
        passages = store.document_passages(doc_id, with_embeddings=True)
        if not passages:
            continue
        result = extractor.run(passages)
        meta = {k: v for k, v in record.items() if k not in _RECORD_FIELDS}
        store.replace_document(doc_id, result["documents"], meta, text=store.document_text(doc_id))
        found[doc_id] = result["counts"].get(doc_id, 0)
    return found
