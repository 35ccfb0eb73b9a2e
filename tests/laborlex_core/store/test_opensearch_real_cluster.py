"""Against a real OpenSearch cluster (k-NN, native hybrid, search pipeline): skipped here.

Run: docker compose up -d opensearch, then
OPENSEARCH_URL=https://localhost:9200 OPENSEARCH_PASSWORD=... pytest tests/laborlex_core/store -k real_cluster
Each test works in its own alias (laborlex-test-<random>) and drops it afterwards.
"""

from __future__ import annotations

import os
import uuid

import pytest

from laborlex_core.store import opensearch_admin
from laborlex_core.store.opensearch import OpenSearchBackend
from tests.laborlex_core.store.opensearch_fixtures import REAL_CLUSTER_REASON, load, real_cluster_settings, unit_vector

pytestmark = pytest.mark.skipif(not os.environ.get("OPENSEARCH_URL"), reason=REAL_CLUSTER_REASON)


@pytest.fixture()
def cluster_store():
    settings = real_cluster_settings(f"laborlex-test-{uuid.uuid4().hex[:8]}")
    store = OpenSearchBackend(settings)
    report = opensearch_admin.setup(store.client, settings)
    assert report.created_index and report.search_pipeline == settings.opensearch_search_pipeline
    load(store)
    yield store
    for index in opensearch_admin.alias_targets(store.client, settings.opensearch_index):
        store.client.indices.delete(index=index)
    store.client.indices.delete(index=store.docs_index, ignore_unavailable=True)


def test_real_cluster_status_and_pipeline(cluster_store: OpenSearchBackend) -> None:
    result = opensearch_admin.status(cluster_store.client, cluster_store.settings)
    assert result["passages"] == 5 and result["documents"] == 3
    assert result["search_pipeline"] == cluster_store.settings.opensearch_search_pipeline


def test_real_cluster_reference_analysis_keeps_22_bis(cluster_store: OpenSearchBackend) -> None:
    tokens = cluster_store.client.indices.analyze(
        index=cluster_store.alias, body={"analyzer": "laborlex_ref", "text": "Artículo 22-Bis 330-A § 207"}
    )
    terms = {t["token"] for t in tokens["tokens"]}
    assert {"22-bis", "22", "bis", "330-a", "330", "207"} <= terms


def test_real_cluster_spanish_stemming_and_folding(cluster_store: OpenSearchBackend) -> None:
    assert cluster_store.bm25_retrieval("indemnizaciones", top_k=1)[0].meta["article"] == "48"


def test_real_cluster_knn_with_filter(cluster_store: OpenSearchBackend) -> None:
    found = cluster_store.embedding_retrieval(unit_vector(1, 0, 0), {"field": "meta.language", "operator": "==", "value": "en"}, top_k=3)
    assert [d.meta["doc_id"] for d in found] == ["us-flsa"]
    assert -1.0 <= found[0].score <= 1.0


def test_real_cluster_native_hybrid_with_filter(cluster_store: OpenSearchBackend) -> None:
    found = cluster_store.hybrid_retrieval(
        "indemnización", unit_vector(0, 0, 1), {"field": "meta.jurisdiction", "operator": "==", "value": "MX"}, top_k=5
    )
    assert found[0].meta["article"] == "48" and found[0].meta["ranks"] == {"hybrid": 1}
    assert {d.meta["jurisdiction"] for d in found} == {"MX"}


def test_real_cluster_replace_and_delete(cluster_store: OpenSearchBackend) -> None:
    passages = cluster_store.document_passages("mx-lft", with_embeddings=True)[:1]
    assert cluster_store.replace_document("mx-lft", passages, {"doc_id": "mx-lft"}) == 1
    assert cluster_store.count_documents() == 3
    assert cluster_store.delete_document("mx-lft") and cluster_store.get_document("mx-lft") is None


def test_real_cluster_reindex_keeps_search_working(cluster_store: OpenSearchBackend) -> None:
    new, old = opensearch_admin.reindex(cluster_store.client, cluster_store.settings)
    assert opensearch_admin.alias_targets(cluster_store.client, cluster_store.alias) == [new] and old
    assert cluster_store.embedding_retrieval(unit_vector(0, 0, 1), top_k=1)[0].meta["article"] == "48"
