"""Haystack retriever components over the embedded store."""

from __future__ import annotations

from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from laborlex_core.store.embedded import EmbeddedDocumentStore


@component
class EmbeddedBM25Retriever:
    """BM25 over the embedded store's analyzed terms (Spanish/English stems, folded accents)."""

    def __init__(self, document_store: EmbeddedDocumentStore, top_k: int = 100, filters: dict[str, Any] | None = None) -> None:
        self.document_store = document_store
        self.top_k = top_k
        self.filters = filters

    @component.output_types(documents=list[Document])
    def run(self, query: str, filters: dict[str, Any] | None = None, top_k: int | None = None) -> dict[str, list[Document]]:
        documents = self.document_store.bm25_retrieval(
            query, filters=filters if filters is not None else self.filters, top_k=top_k or self.top_k
        )
        return {"documents": documents}

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, document_store=self.document_store.to_dict(), top_k=self.top_k, filters=self.filters)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EmbeddedBM25Retriever:
        data["init_parameters"]["document_store"] = EmbeddedDocumentStore.from_dict(data["init_parameters"]["document_store"])
        return default_from_dict(cls, data)


@component
class EmbeddedEmbeddingRetriever:
    """Exact nearest neighbours by cosine similarity over the embedded store's vectors."""

    def __init__(self, document_store: EmbeddedDocumentStore, top_k: int = 100, filters: dict[str, Any] | None = None) -> None:
        self.document_store = document_store
        self.top_k = top_k
        self.filters = filters

    @component.output_types(documents=list[Document])
    def run(
        self, query_embedding: list[float], filters: dict[str, Any] | None = None, top_k: int | None = None
    ) -> dict[str, list[Document]]:
        documents = self.document_store.embedding_retrieval(
            query_embedding, filters=filters if filters is not None else self.filters, top_k=top_k or self.top_k
        )
        return {"documents": documents}

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, document_store=self.document_store.to_dict(), top_k=self.top_k, filters=self.filters)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EmbeddedEmbeddingRetriever:
        data["init_parameters"]["document_store"] = EmbeddedDocumentStore.from_dict(data["init_parameters"]["document_store"])
        return default_from_dict(cls, data)
