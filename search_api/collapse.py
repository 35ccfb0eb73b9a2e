"""Collapsing passages into provisions: a result is an article, not a piece of one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from laborlex_core.store.shared_document import replaced
from search_api.handoff import Passages, provision_key
from search_api.row_fusion import FusedRows, collapse_rows


def collapse_passages(documents: Sequence[Document]) -> list[Document]:
    """Keep each provision's best passage (max score), carrying the best rank per retriever.

    ``passage_ranks`` keeps the best passage's own ranks (the ones its fused score was made
    of), so an explanation can rebuild that score; it is a reference, not a copy."""
    best: dict[tuple[str, str], Document] = {}
    matched: dict[tuple[str, str], int] = {}
    ranks: dict[tuple[str, str], dict[str, int]] = {}
    for document in documents:
        key = provision_key(document.meta)
        matched[key] = matched.get(key, 0) + 1
        merged = ranks.setdefault(key, {})
        for name, rank in (document.meta.get("ranks") or {}).items():
            merged[name] = min(rank, merged.get(name, rank))
        if key not in best or (document.score or 0.0) > (best[key].score or 0.0):
            best[key] = document
    collapsed = [
        replaced(
            doc, meta={**doc.meta, "ranks": ranks[key], "passage_ranks": doc.meta.get("ranks") or {}, "passages_matched": matched[key]},
        )
        for key, doc in best.items()
    ]
    collapsed.sort(key=lambda d: -(d.score or 0.0))
    return collapsed


@component
class ProvisionCollapser:
    """Haystack component around :func:`collapse_passages`, cutting to ``top_k`` provisions."""

    def __init__(self, top_k: int = 10) -> None:
        self.top_k = top_k

    @component.output_types(documents=Passages)
    def run(self, documents: Passages | list[Document], top_k: int | None = None) -> dict[str, Passages]:
        if isinstance(documents, FusedRows) and documents._built is None:  # rows: Documents built when read
            return {"documents": collapse_rows(documents, top_k or self.top_k)}
        return {"documents": Passages(collapse_passages(documents)[: top_k or self.top_k])}

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, top_k=self.top_k)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProvisionCollapser:
        return default_from_dict(cls, data)
