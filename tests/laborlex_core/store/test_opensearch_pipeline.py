"""search_api builds the native-hybrid pipeline only for OpenSearch with opensearch_hybrid=native."""

from __future__ import annotations

from haystack import Document

from laborlex_core.settings import Settings
from laborlex_core.store.retrievers import StoreHybridRetriever
from search_api.pipeline import NATIVE_HYBRID, build_query_pipeline, uses_native_hybrid


class _FakeHybridStore:
    def to_dict(self):  # pragma: no cover - serialization not exercised
        return {}

    def hybrid_retrieval(self, query, query_embedding, filters=None, top_k=10):
        self.called = (query, list(query_embedding), filters, top_k)
        return [Document(id="a", content="x", meta={"doc_id": "d", "article": "1", "ranks": {"hybrid": 1}}, score=0.5)]


def test_native_hybrid_only_when_asked() -> None:
    assert not uses_native_hybrid("hybrid", Settings(backend="embedded", opensearch_hybrid="native"))
    assert not uses_native_hybrid("hybrid", Settings(backend="opensearch"))
    assert not uses_native_hybrid("bm25", Settings(backend="opensearch", opensearch_hybrid="native"))
    assert uses_native_hybrid("hybrid", Settings(backend="opensearch", opensearch_hybrid="native"))


def test_native_pipeline_shape() -> None:
    settings = Settings(backend="opensearch", opensearch_hybrid="native")
    pipeline = build_query_pipeline("hybrid", settings, _FakeHybridStore())
    assert set(pipeline.graph.nodes) == {"query_embedder", NATIVE_HYBRID, "collapse"}
    client = build_query_pipeline("hybrid", Settings(backend="opensearch"), _FakeHybridStore())
    assert {"branches", "fusion"} <= set(client.graph.nodes)


def test_hybrid_retriever_passes_filters_and_top_k() -> None:
    store = _FakeHybridStore()
    out = StoreHybridRetriever(store, top_k=7).run("q", [0.1, 0.2], filters={"field": "id", "operator": "==", "value": "a"})
    assert out["documents"][0].id == "a" and store.called[3] == 7 and store.called[2]["value"] == "a"
