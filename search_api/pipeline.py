"""The query pipelines, assembled in one place.

hybrid:
  query ─ query embedder ─ branches, in one batch of the store's (BM25: as typed, @jurisdiction, ─┬─ weighted RRF
                           #instrument, terms/lang; dense of the adapted vector: all,            │
                           @jurisdiction, #instrument, /lang) and the cited provisions           │
                                  └─ feedback (BM25 for the words of dense/lang's first passages;
                                               assembled when LABORLEX_WEIGHT_FEEDBACK > 0) ──┘
        ─ collapse to provisions ─ [learned re-ranker, LABORLEX_RERANK] ─ other-language versions of the first results
The branches read the query's profile (language, named jurisdictions, references, translated
words: ``branches.profile_query``, cached per query text) themselves: as a component of its own
it cost Haystack's scheduling of one more component on every search (~0.15 ms on 2 cores,
measured before the pipelines ran in a fixed order).
bm25 and dense are the same pipeline with one side's branches (``lexical`` or ``semantic``).
What each branch adds, measured: docs/retrieval-quality.md.
Each pipeline is a Haystack pipeline run in one fixed topological order
(``laborlex_core.ordered_pipeline``): Haystack's general scheduler cost a quarter of a search.

native hybrid (LABORLEX_BACKEND=opensearch, LABORLEX_OPENSEARCH_HYBRID=native):
query ─ query embedder ─ hybrid retriever (OpenSearch fuses) ─ collapse to provisions
"""

from __future__ import annotations

from typing import Literal

from haystack import Pipeline

from laborlex_core.embedding.embedder import QueryEmbedder
from laborlex_core.ordered_pipeline import OrderedPipeline
from laborlex_core.settings import Settings
from laborlex_core.store.base import SearchBackend
from laborlex_core.store.retrievers import StoreHybridRetriever
from search_api.branches import HybridBranches, LexicalBranches, SemanticBranches
from search_api.collapse import ProvisionCollapser
from search_api.feedback import FeedbackBranches
from search_api.fusion import RankFusion, weights_dict
from search_api.handoff import SharedFilters
from search_api.learned_rank import RERANK_DEPTH, LearnedReranker
from search_api.query_filler import strip_filler
from search_api.translations import TranslationExpander

Mode = Literal["hybrid", "bm25", "dense"]
MODES: tuple[str, ...] = ("hybrid", "bm25", "dense")
# The component that asks the store for a mode's ranked lists, by name (fusion's input socket too).
BRANCHES: dict[str, str] = {"hybrid": "branches", "bm25": "lexical", "dense": "semantic"}
BRANCH_TYPES = {"branches": HybridBranches, "lexical": LexicalBranches, "semantic": SemanticBranches}
NATIVE_HYBRID = "native_hybrid"  # component name of OpenSearch's server-side hybrid retriever
# Fused passages handed on to collapsing: enough for 100 provisions (evaluation's depth) with
# room for long articles' several passages; the tail below never reaches a page of results.
FUSED_PASSAGES = 400


def uses_native_hybrid(mode: Mode, settings: Settings) -> bool:
    """Hybrid fused by OpenSearch's search pipeline instead of laborlex's RRF."""
    return mode == "hybrid" and settings.backend == "opensearch" and settings.opensearch_hybrid == "native"


def build_query_pipeline(mode: Mode, settings: Settings, store: SearchBackend) -> Pipeline:
    """Retrieve ranked lists per branch, fuse by weighted RRF, collapse passages into provisions."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    pipeline = OrderedPipeline()  # Haystack's scheduling without its per-run cost
    if uses_native_hybrid(mode, settings):
        pipeline.add_component("query_embedder", QueryEmbedder(settings))
        pipeline.add_component(NATIVE_HYBRID, StoreHybridRetriever(store, top_k=settings.candidates_per_retriever))
        pipeline.add_component("collapse", ProvisionCollapser(top_k=settings.default_limit))
        pipeline.connect("query_embedder.embedding", f"{NATIVE_HYBRID}.query_embedding")
        pipeline.connect(f"{NATIVE_HYBRID}.documents", "collapse.documents")
        return pipeline
    weights, depth = weights_dict(settings), settings.candidates_per_retriever
    if mode == "bm25":  # the words as typed: no translated words in other languages
        weights["terms"] = 0.0
    strip = settings.query_filler != "keep"
    fusion = RankFusion(
        k=settings.rrf_k,
        weights=weights,
        top_k=FUSED_PASSAGES,
        non_operative=settings.prior_non_operative,
        within_family=settings.fusion_within_family,
    )
    pipeline.add_component("fusion", fusion)
    pipeline.add_component("collapse", ProvisionCollapser(top_k=settings.default_limit))
    pipeline.add_component("translations", TranslationExpander(store, depth=settings.translation_depth))
    side = BRANCHES[mode]
    branches = BRANCH_TYPES[side](store, top_k=depth, weights=weights, strip_filler=strip, adapter_blend=settings.query_adapter)
    pipeline.add_component(side, branches)
    pipeline.connect(f"{side}.lists", f"fusion.{side}")
    if mode in ("hybrid", "dense"):
        pipeline.add_component("query_embedder", QueryEmbedder(settings))
        pipeline.connect("query_embedder.embedding", f"{side}.query_embedding")
    if mode == "hybrid" and settings.weight_feedback > 0:  # off by default: an idle component still costs its scheduling
        pipeline.add_component("feedback", FeedbackBranches(store, top_k=depth, weights=weights, strip_filler=strip))
        pipeline.connect("branches.lists", "feedback.semantic")  # it reads the dense/<language> lists
        pipeline.connect("feedback.lists", "fusion.feedback")
    pipeline.connect("fusion.documents", "collapse.documents")
    if settings.rerank == "linear":
        pipeline.add_component("rerank", LearnedReranker(depth=RERANK_DEPTH))
        pipeline.connect("collapse.documents", "rerank.documents")
        pipeline.connect("rerank.documents", "translations.documents")
    else:
        pipeline.connect("collapse.documents", "translations.documents")
    return pipeline


def pipeline_inputs(mode: Mode, settings: Settings, query: str, filters: dict | None, top_k: int) -> dict[str, dict]:
    """The run() inputs of :func:`build_query_pipeline`'s pipeline for one query; the filters
    are shared by the components that read them (``handoff.SharedFilters``), not copied."""
    if uses_native_hybrid(mode, settings):
        return {
            "query_embedder": {"text": query},
            NATIVE_HYBRID: {"query": query, "filters": filters},
            "collapse": {"top_k": top_k},
        }
    shared = SharedFilters(filters)
    inputs: dict[str, dict] = {
        "collapse": {"top_k": top_k},
        "translations": {"filters": shared, "top_k": top_k},
    }
    if settings.rerank == "linear":  # the re-ranker sees its whole depth, then cuts
        inputs["collapse"] = {"top_k": max(top_k, RERANK_DEPTH)}
        inputs["rerank"] = {"query": query, "top_k": top_k}
    inputs[BRANCHES[mode]] = {"query": query, "filters": shared}
    if mode in ("hybrid", "dense"):
        inputs["query_embedder"] = {"text": strip_filler(query) if settings.query_filler == "all" else query}
    if mode == "hybrid" and settings.weight_feedback > 0:
        inputs["feedback"] = {"query": query, "filters": shared}
    return inputs


def output_component(mode: Mode, settings: Settings) -> str:
    """The component whose ``documents`` are the pipeline's results."""
    return "collapse" if uses_native_hybrid(mode, settings) else "translations"
