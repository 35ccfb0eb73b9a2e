"""Reciprocal rank fusion that remembers which retriever ranked what.

Haystack's DocumentJoiner fuses by RRF but drops each retriever's rank; results here show
it ("found by BM25 at 3, by meaning at 1"), and evaluation reads it to see what each
side contributes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict


def reciprocal_rank_fusion(
    ranked_lists: dict[str, list[Document]], k: int = 60, weights: dict[str, float] | None = None
) -> list[Document]:
    """Fuse ranked lists: score = Σ weight / (k + rank); ranks recorded in ``meta["ranks"]``."""
    scores: dict[str, float] = {}
    ranks: dict[str, dict[str, int]] = {}
    first_seen: dict[str, Document] = {}
    for name, documents in ranked_lists.items():
        weight = (weights or {}).get(name, 1.0)
        for rank, document in enumerate(documents, start=1):
            if document.id in ranks and name in ranks[document.id]:
                continue  # a retriever listing a passage twice counts once, at its best rank
            scores[document.id] = scores.get(document.id, 0.0) + weight / (k + rank)
            ranks.setdefault(document.id, {})[name] = rank
            first_seen.setdefault(document.id, document)
    fused = [
        replace(doc, score=scores[doc_id], meta={**doc.meta, "ranks": ranks[doc_id]})
        for doc_id, doc in first_seen.items()
    ]
    fused.sort(key=lambda d: (-(d.score or 0.0), d.id))
    return fused


@component
class RankFusion:
    """Joins the BM25 and dense lists (either may be absent) by reciprocal rank fusion."""

    def __init__(self, k: int = 60, weights: dict[str, float] | None = None) -> None:
        self.k = k
        self.weights = weights

    @component.output_types(documents=list[Document])
    def run(
        self, bm25: list[Document] | None = None, dense: list[Document] | None = None
    ) -> dict[str, list[Document]]:
        lists = {name: docs for name, docs in (("bm25", bm25), ("dense", dense)) if docs is not None}
        return {"documents": reciprocal_rank_fusion(lists, k=self.k, weights=self.weights)}

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, k=self.k, weights=self.weights)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RankFusion:
        return default_from_dict(cls, data)
