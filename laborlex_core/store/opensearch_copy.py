"""Copy an embedded (SQLite) index into OpenSearch, vectors included: no re-embedding.

Snippet sentence vectors go along where the source has them.

Why: embedding the whole corpus takes minutes of CPU, and the embedded index already holds
every passage with its vector, its citations and each document's record and text. Copying
them gives OpenSearch exactly the passages the embedded store searches, which is also what
a fair comparison of the two backends needs (same chunks, same vectors).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from haystack import Document

from laborlex_core.snippet_sentences import SENTENCE_VECTORS_META
from laborlex_core.store.opensearch import OpenSearchBackend

# Keys of a document summary that the store computes; the rest is the ingested metadata.
COMPUTED_KEYS = frozenset({"passages", "provisions", "updated_at"})


class SourceStore(Protocol):
    def list_documents(self) -> list[dict[str, Any]]: ...
    def document_passages(self, doc_id: str, with_embeddings: bool = False) -> list[Document]: ...
    def document_text(self, doc_id: str) -> str | None: ...


@dataclass(slots=True)
class CopyReport:
    documents: int = 0
    passages: int = 0
    failures: dict[str, str] = field(default_factory=dict)  # doc_id -> reason


def copy_store(
    source: SourceStore,
    target: OpenSearchBackend,
    embedding_dim: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> CopyReport:
    """Replace every document of ``source`` in ``target``; a document that fails is reported
    by id and the others go on (what OpenSearch already held for it is kept)."""
    report = CopyReport()
    summaries = source.list_documents()
    for number, summary in enumerate(summaries, start=1):
        doc_id = str(summary["doc_id"])
        if progress is not None:
            progress(number, len(summaries), doc_id)
        passages = source.document_passages(doc_id, with_embeddings=True)
        missing = [p.id for p in passages if p.embedding is None]
        wrong = [p.id for p in passages if p.embedding is not None and embedding_dim and len(p.embedding) != embedding_dim]
        if missing or wrong:
            report.failures[doc_id] = (
                f"{len(missing)} passages without a vector (e.g. {missing[0]})" if missing
                else f"vectors of {len(passages[0].embedding or [])} dimensions, the index takes {embedding_dim}"
            )
            continue
        meta = {k: v for k, v in summary.items() if k not in COMPUTED_KEYS}
        fetch = getattr(source, "sentence_vectors", None)  # snippet sentence vectors go along
        blocks = fetch([p.id for p in passages]) if fetch is not None else {}
        passages = [
            replace(p, meta={**p.meta, SENTENCE_VECTORS_META: blocks[p.id].to_bytes()}) if p.id in blocks else p
            for p in passages
        ]
        try:
            report.passages += target.replace_document(doc_id, passages, meta, source.document_text(doc_id))
        except Exception as error:  # noqa: BLE001 - reported per document, the copy goes on
            report.failures[doc_id] = str(error)
            continue
        report.documents += 1
    return report
