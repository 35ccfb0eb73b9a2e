"""A read-only view of a store that answers each distinct retrieval once.

Cross-validated tuning runs the same queries through the query pipeline under hundreds of
weightings. The ranked lists a query produces depend on its text, filters and depth, not on
the weights, so repeating them would only repeat work; this view keeps every answer in
memory for the life of one sweep. It refuses writes, since a cached answer would go stale.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
from haystack import Document

from laborlex_core.store.base import ListRequest, SearchBackend, answer_each


def _key(*parts: Any) -> str:
    return json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)


class MemoizedStore:
    """Wraps a :class:`SearchBackend`; retrieval and listing answered from memory after the first call."""

    def __init__(self, store: SearchBackend) -> None:
        self.store = store
        self._answers: dict[str, Any] = {}

    def _memo(self, key: str, compute: Any) -> Any:
        if key not in self._answers:
            self._answers[key] = compute()
        return self._answers[key]

    def bm25_retrieval(self, query: str, filters: dict[str, Any] | None = None, top_k: int = 10) -> list[Document]:
        key = _key("bm25", query, filters, top_k)
        return self._memo(key, lambda: self.store.bm25_retrieval(query, filters=filters, top_k=top_k))

    def embedding_retrieval(
        self, query_embedding: list[float], filters: dict[str, Any] | None = None, top_k: int = 10
    ) -> list[Document]:
        vector_id = hashlib.sha1(np.asarray(query_embedding, dtype=np.float32).tobytes()).hexdigest()
        key = _key("dense", vector_id, filters, top_k)
        return self._memo(key, lambda: self.store.embedding_retrieval(query_embedding, filters=filters, top_k=top_k))

    def ranked_lists(self, requests: list[ListRequest]) -> list[list[Document]]:
        """One list at a time, so that each is answered from memory after its first time."""
        return answer_each(self, requests)

    def filter_documents(self, filters: dict[str, Any] | None = None) -> list[Document]:
        return self._memo(_key("filter", filters), lambda: self.store.filter_documents(filters))

    def passages(self, filters: dict[str, Any] | None = None, with_embeddings: bool = False) -> list[Document]:
        return self._memo(_key("passages", filters, with_embeddings), lambda: self.store.passages(filters, with_embeddings))

    def list_documents(self) -> list[dict[str, Any]]:
        return self._memo(_key("list"), self.store.list_documents)

    def count_documents(self) -> int:
        return self._memo(_key("count"), self.store.count_documents)

    def write_documents(self, *args: Any, **kwargs: Any) -> int:
        raise TypeError("MemoizedStore is read-only: a write would make its cached answers stale")

    def __getattr__(self, name: str) -> Any:  # reading in context, citations, sentence vectors, to_dict…
        return getattr(self.store, name)
