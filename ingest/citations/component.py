"""The indexing pipeline's citation stage: each passage leaves it with ``meta["citations"]``."""

from __future__ import annotations

from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from laborlex_core.citations.extract import CitingContext, extract_citations
from laborlex_core.schema import Citation


@component
class CitationExtractor:
    """Extracts and resolves the citations of every passage (Spanish, Georgian, English).

    Long provisions are stored as overlapping passages; a citation in the overlap is kept
    only in the first passage that holds it, so counts are of citations, not of windows.
    """

    @component.output_types(documents=list[Document], counts=dict[str, int])
    def run(self, documents: list[Document]) -> dict[str, Any]:
        out: list[Document] = []
        counts: dict[str, int] = {}
        previous_end: dict[tuple[str, Any], int] = {}  # (doc, ordinal) -> end offset of the last window
        for document in documents:
            meta = document.meta
            context = CitingContext(
                doc_id=str(meta.get("doc_id") or ""),
                article=str(meta.get("article") or ""),
                language=meta.get("language"),
                jurisdiction=meta.get("jurisdiction"),
                kind=meta.get("kind"),
            )
            found = extract_citations(document.content or "", context)
            provision = (context.doc_id, meta.get("ordinal"))
            if int(meta.get("chunk") or 0) > 0 and provision in previous_end:
                base = int(meta.get("start") or 0)
                found = [c for c in found if base + c.end > previous_end[provision]]
            previous_end[provision] = int(meta.get("end") or 0)
            counts[context.doc_id] = counts.get(context.doc_id, 0) + len(found)
            out.append(with_citations(document, found))
        return {"documents": out, "counts": counts}

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CitationExtractor:
        return default_from_dict(cls, data)


def with_citations(document: Document, citations: list[Citation]) -> Document:
    """The passage with its citations in its meta (as plain dicts, so any store can keep them)."""
    meta = {**document.meta, "citations": [c.to_dict() for c in citations]}
    return Document(id=document.id, content=document.content, meta=meta, embedding=document.embedding)
