"""Haystack retriever components over any laborlex store backend."""

from __future__ import annotations

from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict
from haystack.core.serialization import import_class_by_name

from laborlex_core.embedding.query_vector import QueryVector
from laborlex_core.store.base import SearchBackend


def from_dict_with_store(cls: type, data: dict[str, Any]) -> Any:
    """``default_from_dict`` for a component whose ``document_store`` init parameter is a
    store, which Haystack serializes as its own dictionary."""
    store_data = data["init_parameters"]["document_store"]
    data["init_parameters"]["document_store"] = import_class_by_name(store_data["type"]).from_dict(store_data)
    return default_from_dict(cls, data)


class _StoreRetriever:
    """What both retrievers share: the store, default top_k and filters, and serialization."""

    def __init__(self, document_store: SearchBackend, top_k: int = 100, filters: dict[str, Any] | None = None) -> None:
        self.document_store = document_store
        self.top_k = top_k
        self.filters = filters

    def _arguments(self, filters: dict[str, Any] | None, top_k: int | None) -> dict[str, Any]:
        return {"filters": filters if filters is not None else self.filters, "top_k": top_k or self.top_k}

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, document_store=self.document_store.to_dict(), top_k=self.top_k, filters=self.filters)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Any:
        return from_dict_with_store(cls, data)


@component
class StoreBM25Retriever(_StoreRetriever):
    """BM25 through the store's ``bm25_retrieval`` (Spanish/English stems, folded accents)."""

    @component.output_types(documents=list[Document])
    def run(self, query: str, filters: dict[str, Any] | None = None, top_k: int | None = None) -> dict[str, list[Document]]:
        return {"documents": self.document_store.bm25_retrieval(query, **self._arguments(filters, top_k))}


@component
class StoreEmbeddingRetriever(_StoreRetriever):
    """Nearest neighbours by cosine similarity through the store's ``embedding_retrieval``."""

    @component.output_types(documents=list[Document])
    def run(
        self, query_embedding: QueryVector | list[float], filters: dict[str, Any] | None = None, top_k: int | None = None
    ) -> dict[str, list[Document]]:
        return {"documents": self.document_store.embedding_retrieval(query_embedding, **self._arguments(filters, top_k))}


@component
class StoreHybridRetriever(_StoreRetriever):
    """OpenSearch's native ``hybrid`` query (BM25 + k-NN fused server-side by the search pipeline).

    Only for backends with ``hybrid_retrieval`` (OpenSearch); the client-side alternative is
    the BM25 and embedding retrievers joined by ``search_api.fusion.RankFusion``.
    """

    @component.output_types(documents=list[Document])
    def run(
        self,
        query: str,
        query_embedding: QueryVector | list[float],
        filters: dict[str, Any] | None = None,
        top_k: int | None = None,
    ) -> dict[str, list[Document]]:
        hybrid = getattr(self.document_store, "hybrid_retrieval", None)
        if hybrid is None:
            raise TypeError(f"{type(self.document_store).__name__} has no native hybrid retrieval")
        return {"documents": hybrid(query, query_embedding, **self._arguments(filters, top_k))}
