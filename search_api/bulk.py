"""Bulk access for research: a whole instrument as provisions, many queries in one request.

Both stream newline-delimited JSON (one object per line, ``application/x-ndjson``) so a client
can start reading before the server has finished, and a 1,000-article statute never sits
whole in one response body. The work is bounded: a batch holds at most ``MAX_BATCH_QUERIES``
queries of at most ``MAX_QUERY_CHARS`` characters and ``MAX_BATCH_LIMIT`` results each, and
its body at most ``MAX_BATCH_BYTES``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from laborlex_core.citations.practitioner import practitioner_citation
from laborlex_core.schema import JURISDICTIONS, KINDS, LANGUAGES
from laborlex_core.store.base import SearchBackend
from laborlex_core.store.filters import equals_filter
from search_api.exports import provision_path, ui_path
from search_api.reading import provision_summary, reading_order

MAX_BATCH_QUERIES = 50
MAX_BATCH_LIMIT = 20
MAX_QUERY_CHARS = 1000
MAX_BATCH_BYTES = 256 * 1024
NDJSON = "application/x-ndjson"


class BatchQuery(BaseModel):
    # Strict: JSON types as declared ("explain": 0 or "limit": "5" is refused, as the schema says).
    model_config = ConfigDict(strict=True)

    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, description="the question, in any language")
    id: str | None = Field(None, max_length=200, description="echoed back, to match answers to questions")
    mode: Literal["hybrid", "bm25", "dense"] = "hybrid"
    jurisdiction: list[Literal[JURISDICTIONS]] | None = None  # type: ignore[valid-type]
    language: list[Literal[LANGUAGES]] | None = None  # type: ignore[valid-type]
    kind: list[Literal[KINDS]] | None = None  # type: ignore[valid-type]
    limit: int = Field(10, ge=1, le=MAX_BATCH_LIMIT)


class BatchRequest(BaseModel):
    model_config = ConfigDict(strict=True)

    queries: list[BatchQuery] = Field(min_length=1, max_length=MAX_BATCH_QUERIES, description=f"1 to {MAX_BATCH_QUERIES} queries")
    explain: bool = False


def ndjson_line(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def instrument_provisions(store: SearchBackend, doc_id: str, base_url: str) -> Iterator[dict[str, Any]]:
    """Every provision of a document in reading order, whole (its text cut from the document's
    text by offsets, as the reader shows it), with metadata, citations and its permanent link."""
    document = store.get_document(doc_id) or {}
    text = store.document_text(doc_id) or ""
    groups: dict[str, list[Any]] = {}
    for passage in sorted(store.document_passages(doc_id), key=reading_order):
        groups.setdefault(str(passage.meta.get("article")), []).append(passage)
    for position, (article, passages) in enumerate(groups.items(), start=1):
        meta = passages[0].meta
        start = min(int(p.meta.get("start") or 0) for p in passages)
        end = max(int(p.meta.get("end") or 0) for p in passages)
        body = text[start:end].strip() if text and end > start else "\n".join(p.content or "" for p in passages)
        yield {
            "position": position,
            "doc_id": doc_id,
            **provision_summary(meta),
            "formal_citation": practitioner_citation(meta, body),
            "title": meta.get("title") or document.get("title"),
            "jurisdiction": meta.get("jurisdiction"),
            "language": meta.get("language"),
            "kind": meta.get("kind"),
            "date": meta.get("date"),
            "page_end": passages[-1].meta.get("page_end") or passages[-1].meta.get("page"),
            "passages": len(passages),
            "text": body,
            "link": base_url.rstrip("/") + provision_path(doc_id, article),
            "ui_link": ui_path(doc_id, article),
        }


def batch_filters(query: BatchQuery) -> dict[str, Any] | None:
    return equals_filter(jurisdiction=query.jurisdiction, language=query.language, kind=query.kind)
