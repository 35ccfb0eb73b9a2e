"""Haystack retriever components over the embedded store."""

from __future__ import annotations

from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from laborlex_core.store.embedded import EmbeddedDocumentStore


class _EmbeddedRetriever:
    """What both retrievers share: the store, default top_k and filters, and serialization."""

    def __init__(self, document_store: EmbeddedDocumentStore, top_k: int = 100, filters: dict[str, Any] | None = None) -> None:
        self.document_store = document_store
        self.top_k = top_k
        self.filters = filters

    def _arguments(self, filters: dict[str, Any] | None, top_k: int | None) -> dict[str, Any]:
        return {"filters": filters if filters is not None else self.filters, "top_k": top_k or self.top_k}

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, document_store=self.document_store.to_dict(), top_k=self.top_k, filters=self.filters)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Any:
        data["init_parameters"]["document_store"] = EmbeddedDocumentStore.from_dict(data["init_parameters"]["document_store"])
        return default_from_dict(cls, data)


@component
class EmbeddedBM25Retriever(_EmbeddedRetriever):
    """BM25 over the embedded store's analyzed terms (Spanish/English stems, folded accents)."""

    @component.output_types(documents=list[Document])
    def run(self, query: str, filters: dict[str, Any] | None = None, top_k: int | None = None) -> dict[str, list[Document]]:
        return {"documents": self.document_store.bm25_retrieval(query, **self._arguments(filters, top_k))}


@component
class EmbeddedEmbeddingRetriever(_EmbeddedRetriever):
    """Exact nearest neighbours by cosine similarity over the embedded store's vectors."""

    @component.output_types(documents=list[Document])
    def run(
        self, query_embedding: list[float], filters: dict[str, Any] | None = None, top_k: int | None = None
    ) -> dict[str, list[Document]]:
        return {"documents": self.document_store.embedding_retrieval(query_embedding, **self._arguments(filters, top_k))}
