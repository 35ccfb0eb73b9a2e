"""The ingest step that gives every passage its provision's amendment history.

Runs between the chunker and the citation extractor: the notes are read from the
document's whole text (a chapter's note sits under its heading, outside any article), the
events are put on every passage of the provision they belong to, and the note lines are
taken out of the passage text, so snippets, BM25 and the embedding see the law, not the
gazette's bookkeeping. The document's text (what "read in context" shows) keeps them.
Instruments without notes get the date they came to be, where the manifest gives one;
``history_source`` says which: "notes" (the document carries notes: a provision without
any is the original text), "manifest" (only the instrument's date is known) or "none".
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from ingest.amendments import (
    attach_notes,
    decree_date,
    find_notes,
    instrument_start,
    provision_history,
    strip_notes,
)


@component
class AmendmentExtractor:
    """Amendment events per provision onto passage meta; note lines out of passage text."""

    @component.output_types(documents=list[Document], counts=dict[str, int])
    def run(self, documents: list[Document], doc_texts: dict[str, str] | None = None) -> dict[str, Any]:
        by_doc: dict[str, list[Document]] = defaultdict(list)
        for document in documents:
            by_doc[str(document.meta.get("doc_id"))].append(document)
        out: list[Document] = []
        counts: dict[str, int] = {}
        for doc_id, passages in by_doc.items():
            notes = find_notes((doc_texts or {}).get(doc_id) or "")
            counts[doc_id] = len(notes)
            ordinals = sorted({int(p.meta.get("ordinal") or 0) for p in passages})
            spans = {
                o: (
                    min(int(p.meta.get("start") or 0) for p in passages if int(p.meta.get("ordinal") or 0) == o),
                    max(int(p.meta.get("end") or 0) for p in passages if int(p.meta.get("ordinal") or 0) == o),
                )
                for o in ordinals
            }
            attached = dict(zip(ordinals, attach_notes(notes, [spans[o] for o in ordinals]), strict=True))
            for passage in passages:
                meta = passage.meta
                own = attached[int(meta.get("ordinal") or 0)]
                start = decree_date(str(meta.get("article") or "")) or instrument_start(meta.get("date"), meta.get("kind"))
                history = provision_history([e for note in own for e in note.events], added_on=start)
                content = strip_notes(passage.content or "") if notes else passage.content
                source = "notes" if notes else ("manifest" if meta.get("date") else "none")
                out.append(
                    Document(
                        id=passage.id,
                        content=content,
                        meta={**meta, **history.to_meta(), "history_source": source},
                        embedding=passage.embedding,
                    )
                )
        return {"documents": out, "counts": counts}

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AmendmentExtractor:
        return default_from_dict(cls, data)
