"""The query pipelines, assembled in one place.

hybrid:  query ─┬─ BM25 retriever ──────────────┬─ rank fusion ─ collapse to provisions
                └─ query embedder ─ dense retriever ┘
bm25 and dense are the same pipeline with one branch.

native hybrid (LABORLEX_BACKEND=opensearch, LABORLEX_OPENSEARCH_HYBRID=native):
query ─ query embedder ─ hybrid retriever (OpenSearch fuses) ─ collapse to provisions
"""

from __future__ import annotations

from typing import Literal

from haystack import Pipeline

from laborlex_core.embedding.embedder import QueryEmbedder
from laborlex_core.settings import Settings
from laborlex_core.store.base import SearchBackend
from laborlex_core.store.retrievers import StoreBM25Retriever, StoreEmbeddingRetriever, StoreHybridRetriever
from search_api.collapse import ProvisionCollapser
from search_api.fusion import RankFusion

Mode = Literal["hybrid", "bm25", "dense"]
MODES: tuple[str, ...] = ("hybrid", "bm25", "dense")
NATIVE_HYBRID = "native_hybrid"  # component name of OpenSearch's server-side hybrid retriever


def uses_native_hybrid(mode: Mode, settings: Settings) -> bool:
    """Hybrid fused by OpenSearch's search pipeline instead of laborlex's RRF."""
    return mode == "hybrid" and settings.backend == "opensearch" and settings.opensearch_hybrid == "native"


def build_query_pipeline(mode: Mode, settings: Settings, store: SearchBackend) -> Pipeline:
    """Retrieve candidates per branch, fuse by RRF, collapse passages into provisions."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    pipeline = Pipeline()
    if uses_native_hybrid(mode, settings):
        pipeline.add_component("query_embedder", QueryEmbedder(settings))
        pipeline.add_component(NATIVE_HYBRID, StoreHybridRetriever(store, top_k=settings.candidates_per_retriever))
        pipeline.add_component("collapse", ProvisionCollapser(top_k=settings.default_limit))
        pipeline.connect("query_embedder.embedding", f"{NATIVE_HYBRID}.query_embedding")
        pipeline.connect(f"{NATIVE_HYBRID}.documents", "collapse.documents")
        return pipeline
    pipeline.add_component("fusion", RankFusion(k=settings.rrf_k))
    pipeline.add_component("collapse", ProvisionCollapser(top_k=settings.default_limit))
    if mode in ("hybrid", "bm25"):
        pipeline.add_component("bm25", StoreBM25Retriever(store, top_k=settings.candidates_per_retriever))
        pipeline.connect("bm25.documents", "fusion.bm25")
    if mode in ("hybrid", "dense"):
        pipeline.add_component("query_embedder", QueryEmbedder(settings))
        pipeline.add_component("dense", StoreEmbeddingRetriever(store, top_k=settings.candidates_per_retriever))
        pipeline.connect("query_embedder.embedding", "dense.query_embedding")
        pipeline.connect("dense.documents", "fusion.dense")
    pipeline.connect("fusion.documents", "collapse.documents")
    return pipeline
