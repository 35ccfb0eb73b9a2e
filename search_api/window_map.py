"""Nearest neighbours from a second index of the same corpus, cut into other windows.

Passage granularity matters most on the dense side: one vector for 400 tokens of a long
article blurs what each part says. ``laborlex eval --dense-index DIR`` measures smaller windows
on the dense side only: the nearest-neighbour lists come from an index of the same corpus
ingested with another ``LABORLEX_PASSAGE_MAX_TOKENS``, and each hit is mapped to this index's
passage of the same provision that holds its first character (character offsets of the
document), so fusion still adds BM25 and meaning for one passage. BM25 and everything else
read this index. A measuring tool: the product keeps one window per index.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from typing import Any

from haystack import Document

from laborlex_core.store.base import ListRequest, SearchBackend, answer_each
from search_api.handoff import provision_key


class WindowMappedStore:
    """``base`` for everything, but ``embedding_retrieval`` answered by ``dense`` and mapped back."""

    def __init__(self, base: SearchBackend, dense: SearchBackend) -> None:
        self.base = base
        self.dense = dense
        self._passages: dict[tuple[str, str], list[tuple[int, Document]]] | None = None

    def _by_provision(self) -> dict[tuple[str, str], list[tuple[int, Document]]]:
        if self._passages is None:
            grouped: dict[tuple[str, str], list[tuple[int, Document]]] = defaultdict(list)
            for passage in self.base.filter_documents(None):
                grouped[provision_key(passage.meta)].append((int(passage.meta.get("start") or 0), passage))
            self._passages = {key: sorted(items, key=lambda item: item[0]) for key, items in grouped.items()}
        return self._passages

    def map_hit(self, hit: Document) -> Document | None:
        """This index's passage of the hit's provision that holds the hit's first character."""
        items = self._by_provision().get(provision_key(hit.meta))
        if not items:
            return None
        starts = [start for start, _ in items]
        position = max(bisect_right(starts, int(hit.meta.get("start") or 0)) - 1, 0)
        return items[position][1]

    def embedding_retrieval(self, query_embedding: list[float], filters: dict[str, Any] | None = None, top_k: int = 10) -> list[Document]:
        mapped: list[Document] = []
        seen: set[str] = set()
        for hit in self.dense.embedding_retrieval(query_embedding, filters=filters, top_k=top_k * 2):
            passage = self.map_hit(hit)
            if passage is None or passage.id in seen:
                continue  # two small windows of one large passage count once, at the better rank
            seen.add(passage.id)
            mapped.append(Document(id=passage.id, content=passage.content, meta=passage.meta, score=hit.score))
            if len(mapped) == top_k:
                break
        return mapped

    def ranked_lists(self, requests: list[ListRequest]) -> list[list[Document]]:
        """One list at a time through this view, so nearest neighbours are mapped too (forwarding
        to ``base`` would answer them from the wrong index)."""
        return answer_each(self, requests)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)
