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


# Documents whose passages are gathered into one ``load_documents`` call (its ``_bulk``
# requests hold BULK_BATCH passages each; this bounds memory, not the request size).
LOAD_GROUP_PASSAGES = 2000


def _refusal(passages: list[Document], embedding_dim: int | None) -> str | None:
    """Why a document cannot be copied (no vector, or a vector of another size), or None."""
    missing = [p.id for p in passages if p.embedding is None]
    if missing:
        return f"{len(missing)} passages without a vector (e.g. {missing[0]})"
    wrong = [p.id for p in passages if embedding_dim and len(p.embedding or []) != embedding_dim]
    if wrong:
        return f"vectors of {len(passages[0].embedding or [])} dimensions, the index takes {embedding_dim}"
    return None


def copy_store(
    source: SourceStore,
    target: OpenSearchBackend,
    embedding_dim: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> CopyReport:
    """Copy every document of ``source`` into ``target``; a document that fails is reported
    by id and the others go on (what OpenSearch already held for it is kept).

    Documents the target does not hold yet are loaded in shared unrefreshed ``_bulk``
    requests (``OpenSearchBackend.load_documents``); documents it holds are replaced one by
    one (``replace_document`` deletes their leftover passages). A large copy runs inside
    ``opensearch_admin.bulk_loading`` (no periodic refresh, no replicas while writing); the
    copy's one refresh is here, at the end, so it is searchable on return with or without it.
    """
    report = CopyReport()
    summaries = source.list_documents()
    held = {str(d["doc_id"]) for d in target.list_documents()}
    group: list[tuple[str, list[Document], dict[str, Any], str | None]] = []

    def flush() -> None:
        failures = target.load_documents(group) if group else {}
        for doc_id, passages, _, _ in group:
            if doc_id in failures:
                report.failures[doc_id] = "; ".join(failures[doc_id][:3])
            else:
                report.documents += 1
                report.passages += len(passages)
        group.clear()

    for number, summary in enumerate(summaries, start=1):
        doc_id = str(summary["doc_id"])
        if progress is not None:
            progress(number, len(summaries), doc_id)
        passages = source.document_passages(doc_id, with_embeddings=True)
        refusal = _refusal(passages, embedding_dim)
        if refusal is not None:
            report.failures[doc_id] = refusal
            continue
        meta = {k: v for k, v in summary.items() if k not in COMPUTED_KEYS}
        fetch = getattr(source, "sentence_vectors", None)  # snippet sentence vectors go along
        blocks = fetch([p.id for p in passages]) if fetch is not None else {}
        passages = [
            replace(p, meta={**p.meta, SENTENCE_VECTORS_META: blocks[p.id].to_bytes()}) if p.id in blocks else p
            for p in passages
        ]
        if doc_id not in held:
            group.append((doc_id, passages, meta, source.document_text(doc_id)))
            if sum(len(entry[1]) for entry in group) >= LOAD_GROUP_PASSAGES:
                flush()
            continue
        try:
            report.passages += target.replace_document(doc_id, passages, meta, source.document_text(doc_id))
        except Exception as error:  # noqa: BLE001 - reported per document, the copy goes on
            report.failures[doc_id] = str(error)
            continue
        report.documents += 1
    flush()
    target.refresh()  # one refresh for the whole copy: what was written is searchable on return
    return report
