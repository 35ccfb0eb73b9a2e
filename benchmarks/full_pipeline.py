"""The query pipeline exactly as the API runs it, with the query vector supplied instead of embedded.

The store-level "full hybrid" figure times every ranked list the default hybrid pipeline
asks of the store (BM25 as typed and within named jurisdictions, translated-words BM25 per language,
dense over everything, per jurisdiction and per language), its fusion, collapsing and
translations, without the model: the benchmark's queries carry vectors computed beforehand.
"""

from __future__ import annotations

from typing import Any

from haystack import Document, Pipeline, component

from laborlex_core.embedding.query_vector import QueryVector, as_query_vector
from laborlex_core.settings import Settings
from laborlex_core.store.base import SearchBackend
from search_api.pipeline import build_query_pipeline, output_component, pipeline_inputs

EMBEDDER = "query_embedder"


@component
class SuppliedEmbedding:
    """Answers the query embedder's socket with a vector looked up by the query's text."""

    def __init__(self) -> None:
        self.vectors: dict[str, QueryVector] = {}

    @component.output_types(embedding=QueryVector)
    def run(self, text: str) -> dict[str, QueryVector]:
        return {"embedding": self.vectors[text]}


class FullPipeline:
    """``build_query_pipeline(mode)`` with its embedder replaced by :class:`SuppliedEmbedding`."""

    def __init__(self, settings: Settings, store: SearchBackend, mode: str = "hybrid") -> None:
        self.settings, self.mode = settings, mode
        self.pipeline: Pipeline = build_query_pipeline(mode, settings, store)  # type: ignore[arg-type]
        self.supplied = SuppliedEmbedding()
        if EMBEDDER in self.pipeline.graph.nodes:
            receivers = [
                (target, data["to_socket"].name)
                for _, target, data in self.pipeline.graph.out_edges(EMBEDDER, data=True)
            ]
            self.pipeline.remove_component(EMBEDDER)
            self.pipeline.add_component(EMBEDDER, self.supplied)
            for target, socket in receivers:
                self.pipeline.connect(f"{EMBEDDER}.embedding", f"{target}.{socket}")

    def run(self, text: str, vector: list[float] | None, filters: dict[str, Any] | None, top_k: int = 10) -> list[Document]:
        if vector is not None:
            self.supplied.vectors = {text: as_query_vector(vector)}
        inputs = pipeline_inputs(self.mode, self.settings, text, filters, top_k)  # type: ignore[arg-type]
        return self.pipeline.run(inputs)[output_component(self.mode, self.settings)]["documents"]  # type: ignore[arg-type]
