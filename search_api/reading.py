"""Documents and provisions read whole and in context: what the reader opens from a result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from haystack import Document

from laborlex_core.passage_text import citation, unit_label
from laborlex_core.store.base import SearchBackend
from laborlex_core.store.filters import equals_filter


def reading_order(passage: Document) -> tuple[int, int]:
    return int(passage.meta.get("ordinal") or 0), int(passage.meta.get("chunk") or 0)


@dataclass(slots=True)
class ProvisionView:
    """A provision read whole: its text from the document, and its neighbours."""

    meta: dict[str, Any]
    text: str
    previous: dict[str, Any] | None
    next: dict[str, Any] | None


def provision_summary(meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "article": str(meta.get("article") or ""),
        "unit": meta.get("unit") or "article",
        "label": unit_label(str(meta.get("unit") or "article"), str(meta.get("article") or ""), meta.get("language")),
        "heading_path": list(meta.get("heading_path") or []),
        "page": meta.get("page"),
        "citation": citation(meta),
    }


def provision_passages(store: SearchBackend, doc_id: str, article: str) -> list[Document]:
    """One provision's passages in reading order, fetched alone (not its whole document)."""
    return sorted(store.filter_documents(equals_filter(doc_id=doc_id, article=article)), key=reading_order)


def provision_metas(store: SearchBackend, keys: set[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Meta of the first passage of each indexed (document, article) in ``keys``, in one query."""
    if not keys:
        return {}
    wanted = equals_filter(doc_id=sorted({d for d, _ in keys}), article=sorted({a for _, a in keys}))
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for passage in sorted(store.passages(wanted), key=reading_order):
        key = (str(passage.meta.get("doc_id")), str(passage.meta.get("article")))
        if key in keys:
            found.setdefault(key, passage.meta)
    return found


class Reader:
    """Documents, their provisions in order, and one provision whole with its neighbours."""

    def __init__(self, store: SearchBackend) -> None:
        self.store = store

    def documents(self) -> list[dict[str, Any]]:
        return self.store.list_documents()

    def document(self, doc_id: str) -> dict[str, Any] | None:
        """Metadata and the provisions in reading order (one entry per provision)."""
        meta = self.store.get_document(doc_id)
        if meta is None:
            return None
        provisions = [provision_summary(d.meta) for d in self.store.document_passages(doc_id) if not d.meta.get("chunk")]
        return {**meta, "provision_count": meta["provisions"], "provisions": provisions}

    def provision(self, doc_id: str, article: str) -> ProvisionView | None:
        """The provision's full text (from the document's text by offsets) and its neighbours."""
        passages = self.store.document_passages(doc_id)
        order = [d for d in passages if not d.meta.get("chunk")]
        index = next((i for i, d in enumerate(order) if str(d.meta.get("article")) == article), None)
        if index is None:
            return None
        own = [d for d in passages if str(d.meta.get("article")) == article]
        text = self._full_text(doc_id, own)
        previous = provision_summary(order[index - 1].meta) if index > 0 else None
        following = provision_summary(order[index + 1].meta) if index + 1 < len(order) else None
        meta = {**own[0].meta, "page_end": own[-1].meta.get("page_end") or own[-1].meta.get("page")}
        return ProvisionView(meta=meta, text=text, previous=previous, next=following)

    def _full_text(self, doc_id: str, own: list[Document]) -> str:
        document_text = self.store.document_text(doc_id)
        start = min(int(d.meta.get("start") or 0) for d in own)
        end = max(int(d.meta.get("end") or 0) for d in own)
        if document_text and end > start:
            return document_text[start:end].strip()
        if len(own) == 1:
            return own[0].content or ""
        return "\n".join(d.content or "" for d in own)  # overlapping windows; text not kept
